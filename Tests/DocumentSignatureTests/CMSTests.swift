import CMS
import Foundation
import TestSigners
import Testing
import X509

@Suite("Detached CMS with RSA and EC keys")
struct CMSTests {
    @Test("a CMS made by openssl with an EC P-384 key and SHA-384 is parsed and verified, and fails for other content")
    func opensslECDSA() throws {
        let folder = try TestFiles.scratchDirectory("cms-ec")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pki = try ECTestPKI(in: folder)
        let content = folder.appendingPathComponent("content.txt")
        try Data("次世代カードの署名".utf8).write(to: content)
        let signature = folder.appendingPathComponent("content.p7s")
        try ECTestPKI.openssl(["cms", "-sign", "-binary", "-md", "sha384", "-signer", folder.appendingPathComponent("ec-signer.pem").path,
                               "-inkey", folder.appendingPathComponent("ec-signer-key.pem").path, "-outform", "DER",
                               "-in", content.path, "-out", signature.path])
        let cms = try DetachedCMSSignature(derEncoded: Array(try Data(contentsOf: signature)))
        #expect(cms.hash == .sha384)
        #expect(cms.signatureAlgorithm == .ecdsa(.sha384))
        #expect(cms.signingTime != nil)
        let signer = try #require(cms.embeddedSignerCertificate)
        #expect(signer == pki.signer.certificate)
        #expect(cms.verify(contentDigest: JPKIHashAlgorithm.sha384.hash(try Data(contentsOf: content)), signer: signer) == .valid)
        #expect(!cms.verify(contentDigest: JPKIHashAlgorithm.sha384.hash(Array("other".utf8)), signer: signer).isValid)
        let rsa = try SoftwareSigner.fixture().certificate
        #expect(!cms.verify(contentDigest: JPKIHashAlgorithm.sha384.hash(try Data(contentsOf: content)), signer: rsa).isValid)
    }

    @Test("a CMS made from a DigestSigner (RSA or EC P-384) passes openssl cms -verify with the CA", arguments: ["rsa", "ec"])
    func digestSignerToOpenSSL(kind: String) throws {
        let folder = try TestFiles.scratchDirectory("cms-\(kind)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let signer: SoftwareSigner
        let ca: String
        if kind == "ec" {
            let pki = try ECTestPKI(in: folder)
            (signer, ca) = (pki.signer, pki.caCertificate.path)
        } else {
            (signer, ca) = (try SoftwareSigner.fixture(), TestFiles.fixture("ca/sign-ca.pem").path)
        }
        let content = Array("契約書".utf8)
        let der = try DetachedCMSSignature.sign(contentDigest: try signer.algorithm.hash.hash(content), with: signer, signingTime: Date())
        try Data(der).write(to: folder.appendingPathComponent("sig.p7s"))
        try Data(content).write(to: folder.appendingPathComponent("content"))
        try ECTestPKI.openssl(["cms", "-verify", "-binary", "-inform", "DER", "-in", folder.appendingPathComponent("sig.p7s").path,
                               "-content", folder.appendingPathComponent("content").path, "-CAfile", ca, "-purpose", "any", "-out", "/dev/null"])
        #expect(try DetachedCMSSignature(derEncoded: der).signatureAlgorithm == (kind == "ec" ? .ecdsa(.sha384) : .rsaPKCS1v15(.sha256)))
    }

    @Test("an RSA CMS over content hashed with SHA-384 or SHA-512 signs its attributes with that hash too, and openssl accepts it",
          arguments: [JPKIHashAlgorithm.sha384, .sha512])
    func rsaWithContentHash(hash: JPKIHashAlgorithm) throws {
        let folder = try TestFiles.scratchDirectory("cms-rsa-\(hash.rawValue)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let signer = try SoftwareSigner.fixture()
        let content = Array("契約書".utf8)
        let der = try DetachedCMSSignature.sign(contentDigest: hash.hash(content), with: signer, signingTime: Date())
        let cms = try DetachedCMSSignature(derEncoded: der)
        #expect(cms.hash == hash)
        #expect(cms.signatureAlgorithm == .rsaPKCS1v15(hash))
        #expect(cms.verify(contentDigest: hash.hash(content), signer: signer.certificate) == .valid)
        try Data(der).write(to: folder.appendingPathComponent("sig.p7s"))
        try Data(content).write(to: folder.appendingPathComponent("content"))
        try ECTestPKI.openssl(["cms", "-verify", "-binary", "-inform", "DER", "-in", folder.appendingPathComponent("sig.p7s").path,
                               "-content", folder.appendingPathComponent("content").path, "-CAfile",
                               TestFiles.fixture("ca/sign-ca.pem").path, "-purpose", "any", "-out", "/dev/null"])
    }

    @Test("the signing algorithm follows the certificate's key, and XML and CMS names come from one place")
    func algorithmFromKey() throws {
        let folder = try TestFiles.scratchDirectory("alg")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try SoftwareSigner.fixture().algorithm == .rsaPKCS1v15(.sha256))
        #expect(try ECTestPKI(in: folder).signer.algorithm == .ecdsa(.sha384))
        #expect(SignatureAlgorithm.ecdsa(.sha384).xmlSignatureMethod == "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384")
        #expect(SignatureAlgorithm(xmlSignatureMethod: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256") == .rsaPKCS1v15(.sha256))
        #expect(SignatureAlgorithm.ecdsa(.sha384).name == "ecdsa-with-SHA384")
        #expect(SignatureAlgorithm(cmsSignatureOID: [1, 2, 840, 113549, 1, 1, 11], digest: .sha256) == .rsaPKCS1v15(.sha256))
        #expect(SignatureAlgorithm(cmsSignatureOID: [1, 2, 840, 10045, 4, 3, 3], digest: .sha384) == .ecdsa(.sha384))
    }
}
