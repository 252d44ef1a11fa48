import CardEmulator
import CardSession
import Crypto
import Foundation
import JPKIApplet
import Testing
import SwiftASN1
import X509
import _CryptoExtras

/// The package root (holding Package.swift).
let packageRoot: URL = {
    var root = URL(fileURLWithPath: #filePath)
    while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) { root.deleteLastPathComponent() }
    return root
}()

/// An emulated card in memory, from a profile in fixtures/profiles.
func emulatedJPKI(_ profile: String = "healthy") throws -> (JPKISession, EmulatedCardTransport) {
    let card = EmulatedCard(profile: try CardProfile.load(from: packageRoot.appendingPathComponent("fixtures/profiles/\(profile)")))
    let transport = EmulatedCardTransport(card: card)
    return (try JPKISession(transport: transport), transport)
}

func pin(_ text: String) -> PINCode {
    var bytes = Array(text.utf8)
    return PINCode(consuming: &bytes)
}

@Suite("Signing with the JPKI keys")
struct JPKISigningTests {
    @Test("a signature by each key verifies with that key's certificate, for each hash",
          arguments: JPKIKey.allCases, JPKIHashAlgorithm.allCases)
    func signatureVerifies(key: JPKIKey, hash: JPKIHashAlgorithm) throws {
        let (jpki, _) = try emulatedJPKI()
        try jpki.verify(key.pin, pin: pin(key == .authentication ? "1234" : "ABC123"))
        let content = Array("これは署名される文書".utf8)
        let signature = try jpki.sign(hash.hash(content), with: key)
        let certificate = try jpki.certificate(key.certificate).certificate
        #expect(signature.count == 256)
        #expect(RawSignature.verify(signature: signature, contentDigest: hash.hash(content), certificate: certificate) == .valid)
        #expect(!RawSignature.verify(signature: signature, contentDigest: hash.hash(content + [0x0A]), certificate: certificate).isValid)
    }

    @Test("signing before the PIN is verified is refused as needing the PIN")
    func signingNeedsPIN() throws {
        let (jpki, _) = try emulatedJPKI()
        #expect(throws: CardSessionError.pinRequired(.jpkiAuthentication, during: "signing with the auth key")) {
            try jpki.sign(JPKIHashAlgorithm.sha256.hash([1, 2, 3]), with: .authentication)
        }
    }

    @Test("a streamed hash over many chunks equals the one-shot hash")
    func streamedHashMatches() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hash-\(UUID()).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        let content = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(content).write(to: url)
        for hash in JPKIHashAlgorithm.allCases {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            var progress: [UInt64] = []
            let streamed = try hash.hash(reading: handle, chunkSize: 4096) { progress.append($0) }
            #expect(streamed == hash.hash(content))
            #expect(streamed.digestInfo.count == hash.digestInfoPrefix.count + hash.digestLength)
            #expect(progress.last == 100_000)
            #expect(progress.count == 25)
        }
    }

    @Test("the SHA-256 DigestInfo is the RFC 8017 prefix followed by the digest")
    func digestInfoPrefix() {
        let digest = JPKIHashAlgorithm.sha256.hash(Array("abc".utf8))
        #expect(Array(digest.digestInfo.prefix(19)) == [0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
                                                        0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20])
        #expect(Array(digest.bytes.prefix(4)) == [0xBA, 0x78, 0x16, 0xBF])
    }
}

@Suite("Detached CMS signatures")
struct DetachedCMSTests {
    @Test("a CMS signature parses back, verifies against its content, and fails for changed content or another key")
    func cmsRoundTrip() throws {
        let (jpki, _) = try emulatedJPKI()
        let cardSigner = try JPKISigner(session: jpki.session, key: .signing, includeChain: true, entry: .inHand(pin("ABC123")))
        let content = Array("契約書 version 1".utf8)
        let signer = cardSigner.signerCertificate.der
        let time = Date(timeIntervalSince1970: 1_800_000_000)
        let der = try cardSigner.signDetachedCMS(contentDigest: JPKIHashAlgorithm.sha256.hash(content), signingTime: time)
        let document = try DetachedCMSSignature(derEncoded: der)
        #expect(document.hash == .sha256)
        #expect(document.signingTime == time)
        #expect(document.certificates.count == 2)
        let certificate = try #require(document.embeddedSignerCertificate)
        #expect(certificate == (try Certificate(derEncoded: signer)))
        #expect(document.verify(contentDigest: JPKIHashAlgorithm.sha256.hash(content), signer: certificate) == .valid)
        #expect(!document.verify(contentDigest: JPKIHashAlgorithm.sha256.hash(content + [0x21]), signer: certificate).isValid)
        let authCertificate = try jpki.certificate(.authentication).certificate
        #expect(!document.verify(contentDigest: JPKIHashAlgorithm.sha256.hash(content), signer: authCertificate).isValid)
    }

    @Test("bytes that are not a CMS signature are rejected with a format error")
    func notCMS() {
        #expect(throws: CMSFormatError.self) { try DetachedCMSSignature(derEncoded: [0x30, 0x03, 0x02, 0x01, 0x01]) }
        #expect(throws: CMSFormatError.self) { try DetachedCMSSignature(derEncoded: Array(repeating: 0xAB, count: 256)) }
    }
}

@Suite("PIN guard on the JPKI applet")
struct JPKIPINGuardTests {
    @Test("a wrong auth PIN leaves two tries")
    func wrongAuthPIN() throws {
        let (jpki, _) = try emulatedJPKI()
        #expect(throws: CardSessionError.wrongPIN(.jpkiAuthentication, triesLeft: 2)) { try jpki.verify(.jpkiAuthentication, pin: pin("9999")) }
        #expect(try jpki.pinStatus(.jpkiAuthentication) == .remaining(2))
    }

    @Test("with one try left the PIN is not sent without force, no try is spent, and force sends it")
    func lastTryRefused() throws {
        let (jpki, transport) = try emulatedJPKI("last-try")
        #expect(throws: CardSessionError.lastTryRefused(.jpkiSigning)) { try jpki.verify(.jpkiSigning, pin: pin("ABC123")) }
        #expect(!transport.sentCommands.contains { $0.count > 5 && $0[1] == 0x20 })
        #expect(try jpki.pinStatus(.jpkiSigning) == .remaining(1))
        try jpki.verify(.jpkiSigning, pin: pin("ABC123"), force: true)
        #expect(try jpki.pinStatus(.jpkiSigning) == .remaining(5))
    }

    @Test("a blocked auth PIN is reported as blocked, with where to reset it")
    func blocked() throws {
        let (jpki, _) = try emulatedJPKI("blocked-pin")
        #expect(throws: CardSessionError.pinBlocked(.jpkiAuthentication)) { try jpki.verify(.jpkiAuthentication, pin: pin("1234"), force: true) }
        #expect(CardSessionError.pinBlocked(.jpkiAuthentication).description.contains("municipal office"))
    }

    @Test("after changing the signing password the new one works and the old one is wrong")
    func changePIN() throws {
        let (jpki, transport) = try emulatedJPKI()
        try jpki.changePIN(.jpkiSigning, current: pin("ABC123"), new: pin("NEWPASS9"))
        transport.card.reset()
        let fresh = try JPKISession(transport: transport)
        #expect(throws: CardSessionError.wrongPIN(.jpkiSigning, triesLeft: 4)) { try fresh.verify(.jpkiSigning, pin: pin("ABC123")) }
        try fresh.verify(.jpkiSigning, pin: pin("NEWPASS9"))
    }

    @Test("a new PIN of the wrong shape is refused before anything is sent")
    func changePINBadFormat() throws {
        let (jpki, transport) = try emulatedJPKI()
        let before = transport.sentCommands.count
        #expect(throws: CardSessionError.self) { try jpki.changePIN(.jpkiAuthentication, current: pin("1234"), new: pin("12a4")) }
        #expect(transport.sentCommands.count == before)
    }
}

@Suite("Login bundles")
struct LoginBundleTests {
    func fixtureCertificate(_ name: String) throws -> Certificate {
        try Certificate(derEncoded: Array(Data(contentsOf: packageRoot.appendingPathComponent("fixtures/profiles/healthy/jpki/\(name).der"))))
    }

    func trusting(_ name: String) throws -> LoginVerifier {
        LoginVerifier(trustStore: TrustStore(anchors: [try TrustAnchor(fixtureCertificate(name))]))
    }

    /// A value from the healthy profile's `holder`: what the fixtures say the card holds.
    func holder(_ key: String) throws -> String {
        let data = try Data(contentsOf: packageRoot.appendingPathComponent("fixtures/profiles/healthy/profile.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require((object["holder"] as? [String: Any])?[key] as? String)
    }

    func makeBundle(_ challenge: [UInt8]) throws -> (LoginBundle, JPKICertificate) {
        let (jpki, _) = try emulatedJPKI()
        let signer = try JPKISigner(session: jpki.session, key: .authentication, entry: .inHand(pin("1234")))
        defer { signer.finish() }
        return (try signer.login(challenge: challenge), signer.signerCertificate)
    }

    static let inValidity = ISO8601DateFormatter().date(from: "2026-06-01T00:00:00Z")!

    @Test("a bundle is accepted by the auth CA and proves the certificate's serial and マイキーID")
    func accepted() throws {
        let challenge: [UInt8] = Array(0..<32)
        let (bundle, certificate) = try makeBundle(challenge)
        let proof = try trusting("auth-ca").verify(bundle, expectedChallenge: challenge, at: Self.inValidity)
        #expect(proof.serialHex == certificate.serialHex)
        #expect(proof.serialHex == (try holder("authSerialHex")))
        #expect(proof.myKeyID?.commonName == (try holder("authCommonName")))
        #expect(proof.myKeyID?.terminalCode == "13999001A")
        #expect(proof.issuer.certificate == (try fixtureCertificate("auth-ca")))
        #expect(bundle.serial == certificate.serialHex)
        #expect(bundle.myKeyID == (try holder("authCommonName")))
        #expect(bundle.algorithm == "sha256WithRSAEncryption")
    }

    @Test("a bundle is rejected for another challenge, another CA, a tampered challenge, or after expiry")
    func rejected() throws {
        let challenge: [UInt8] = Array(0..<32)
        let (bundle, _) = try makeBundle(challenge)
        let verifier = try trusting("auth-ca")
        #expect(throws: LoginRejection.challengeMismatch) { try verifier.verify(bundle, expectedChallenge: [1, 2, 3], at: Self.inValidity) }
        #expect(throws: LoginRejection.self) { try trusting("sign-ca").verify(bundle, at: Self.inValidity) }
        var tampered = bundle
        tampered.challenge = Data([9, 9, 9]).base64EncodedString()
        #expect(throws: LoginRejection.badSignature) { try verifier.verify(tampered, at: Self.inValidity) }
        let later = ISO8601DateFormatter().date(from: "2031-01-01T00:00:00Z")!
        #expect(throws: LoginRejection.untrusted(.notValid(.expired(try fixtureCertificate("auth-cert").notValidAfter)))) {
            try verifier.verify(bundle, at: later)
        }
    }

    @Test("an edited serial or マイキーID field is refused: it is the value a relying party stores")
    func editedIdentifiers() throws {
        let (bundle, certificate) = try makeBundle([1, 2, 3])
        let verifier = try trusting("auth-ca")
        var serial = bundle
        serial.serial = "0123ABCD"
        #expect(throws: LoginRejection.serialMismatch(bundle: "0123ABCD", certificate: certificate.serialHex)) {
            try verifier.verify(serial, at: Self.inValidity)
        }
        var myKey = bundle
        myKey.myKeyID = "AAAAAAAAAAAAAA13999001A"
        #expect(throws: LoginRejection.myKeyIDMismatch) { try verifier.verify(myKey, at: Self.inValidity) }
        var older = bundle
        older.myKeyID = nil
        #expect(try verifier.verify(older, at: Self.inValidity).myKeyID?.commonName == (try holder("authCommonName")))
    }

    @Test("a bundle signed with the signing key is refused even when its CA is trusted: a login is an authentication signature")
    func signingKeyRefused() throws {
        let (jpki, _) = try emulatedJPKI()
        try jpki.verify(.jpkiSigning, pin: pin("ABC123"))
        let challenge: [UInt8] = [0xC0, 0xFF, 0xEE]
        let signature = try jpki.sign(JPKIHashAlgorithm.sha256.hash(challenge), with: .signing)
        let bundle = LoginBundle(certificate: try jpki.certificate(.signing), signature: signature, challenge: challenge)
        #expect(throws: LoginRejection.self) { try trusting("sign-ca").verify(bundle, at: Self.inValidity) }
        do {
            _ = try trusting("sign-ca").verify(bundle, at: Self.inValidity)
        } catch LoginRejection.untrusted(.keyUsage(let why)) {
            #expect(why.contains("authentication key"))
        }
    }

    @Test("the CA's own validity counts: a CA certificate that has expired at the date checked vouches for nothing")
    func caValidity() throws {
        let (bundle, _) = try makeBundle([4, 5, 6])
        let ca = try fixtureCertificate("auth-ca")
        // The same CA key and name, in a certificate that ended before the date checked.
        let key = try _RSA.Signing.PrivateKey(derRepresentation: Data(contentsOf: packageRoot.appendingPathComponent("fixtures/keys/auth-ca.der")))
        let expired = try Certificate(version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
                                      notValidBefore: ca.notValidBefore, notValidAfter: ISO8601DateFormatter().date(from: "2026-01-01T00:00:00Z")!,
                                      issuer: ca.subject, subject: ca.subject, signatureAlgorithm: .sha256WithRSAEncryption,
                                      extensions: ca.extensions, issuerPrivateKey: .init(key))
        let verifier = LoginVerifier(trustStore: TrustStore(anchors: [try TrustAnchor(expired)]))
        #expect(throws: LoginRejection.self) { try verifier.verify(bundle, at: Self.inValidity) }
        #expect(try verifier.verify(bundle, at: ISO8601DateFormatter().date(from: "2025-06-01T00:00:00Z")!).serialHex == (try holder("authSerialHex")))
    }
}

@Suite("The マイキーID in the authentication certificate")
struct MyKeyIDTests {
    @Test("a 23-character common name splits into the 14-character random string and the 9-character 受付端末識別記号")
    func splits() throws {
        let id = try MyKeyID(commonName: "IOH43BBTHJHUL813999001A")
        #expect(id.randomString == "IOH43BBTHJHUL8")
        #expect(id.terminalCode == "13999001A")
        #expect(id.masked == "**************13999001A")
    }

    @Test("a common name of another shape is reported, not guessed at",
          arguments: ["", "IOH43BBTHJHUL813999001", "IOH43BBTHJHUL813999001AB", "ioh43bbthjhul813999001a", "IOH43BBTHJHUL8 13999001", "ＩOH43BBTHJHUL813999001A"])
    func unexpectedShape(name: String) {
        #expect(throws: MyKeyIDError.self) { try MyKeyID(commonName: name) }
        #expect(MyKeyID.mask(commonName: name) == String(repeating: "*", count: name.count))
    }

    @Test("the emulated card's certificate carries the profile's common name as its マイキーID")
    func fromCertificate() throws {
        let (jpki, _) = try emulatedJPKI()
        let id = try MyKeyID(certificate: try jpki.certificate(.authentication).certificate)
        #expect(id.commonName.count == 23)
        let masked = try jpki.certificate(.authentication).certificate.subject.description(maskingCommonNames: MyKeyID.mask)
        #expect(masked.contains("CN=**************13999001A"))
        #expect(!masked.contains(id.randomString))
    }
}

/// A CMS file is untrusted input: a valid signature with one field changed must give a format error or a
/// result, never a crash (issue 8: an empty digest algorithm trapped).
@Suite("Detached CMS signatures with one field changed")
struct HostileCMSTests {
    /// A valid CMS made by the emulated card, with the issuing CA in its chain.
    static func validCMS() throws -> (der: [UInt8], content: [UInt8]) {
        let (_, transport) = try emulatedJPKI()
        let signer = try JPKISigner(session: CardSession(transport: transport), key: .signing, includeChain: true, entry: .inHand(pin("ABC123")))
        let content = Array("契約書 version 1".utf8)
        let der = try signer.signDetachedCMS(contentDigest: JPKIHashAlgorithm.sha256.hash(content),
                                             signingTime: Date(timeIntervalSince1970: 1_800_000_000))
        return (der, content)
    }

    /// How one node of a DER tree is changed.
    enum Change: CaseIterable { case emptied, removed, duplicated }

    /// `node` re-encoded with the node at `path` (child indices from the root) changed.
    static func rewrite(_ node: ASN1Node, changing path: ArraySlice<Int>, _ change: Change, into coder: inout DER.Serializer) {
        if path.isEmpty {
            switch change {
            case .emptied:
                if case .constructed = node.content { coder.appendConstructedNode(identifier: node.identifier) { _ in } }
                else { coder.appendPrimitiveNode(identifier: node.identifier) { _ in } }
            case .removed: break
            case .duplicated: coder.serialize(node); coder.serialize(node)
            }
            return
        }
        guard case .constructed(let children) = node.content else { return coder.serialize(node) }
        coder.appendConstructedNode(identifier: node.identifier) { inner in
            for (index, child) in children.enumerated() {
                if index == path.first { rewrite(child, changing: path.dropFirst(), change, into: &inner) } else { inner.serialize(child) }
            }
        }
    }

    /// Every node's path, depth first.
    static func paths(_ node: ASN1Node, _ prefix: [Int] = []) -> [[Int]] {
        guard case .constructed(let children) = node.content else { return [prefix] }
        return [prefix] + children.enumerated().flatMap { paths($0.element, prefix + [$0.offset]) }
    }

    static func changed(_ der: [UInt8], at path: [Int], _ change: Change) throws -> [UInt8] {
        var coder = DER.Serializer()
        rewrite(try DER.parse(der), changing: path[...], change, into: &coder)
        return coder.serializedBytes
    }

    @Test("a SignerInfo whose digest algorithm is an empty SEQUENCE is a format error")
    func emptyDigestAlgorithm() throws {
        let (der, _) = try Self.validCMS()
        // ContentInfo → [0] → SignedData → SignerInfos (field 4, after the certificates) → SignerInfo → digestAlgorithm.
        let broken = try Self.changed(der, at: [1, 0, 4, 0, 2], .emptied)
        #expect {
            try DetachedCMSSignature(derEncoded: broken)
        } throws: { error in
            (error as? CMSFormatError)?.description == "not a usable CMS signature: its digest algorithm is empty"
        }
    }

    @Test("an empty digestAlgorithms set, or none at all, is still read (the SignerInfo names the hash)")
    func emptyDigestAlgorithmsSet() throws {
        let (der, content) = try Self.validCMS()
        let document = try DetachedCMSSignature(derEncoded: try Self.changed(der, at: [1, 0, 1], .emptied))
        let signer = try #require(document.embeddedSignerCertificate)
        #expect(document.verify(contentDigest: JPKIHashAlgorithm.sha256.hash(content), signer: signer) == .valid)
    }

    @Test("every field emptied, removed or doubled gives a format error or a parse, never a crash")
    func everyFieldChanged() throws {
        let (der, content) = try Self.validCMS()
        let paths = Self.paths(try DER.parse(der))
        #expect(paths.count > 100)
        var rejected = 0
        for path in paths where !path.isEmpty {
            for change in Change.allCases {
                let variant = try Self.changed(der, at: path, change)
                do {
                    let document = try DetachedCMSSignature(derEncoded: variant)
                    if let signer = document.embeddedSignerCertificate {
                        _ = document.verify(contentDigest: JPKIHashAlgorithm.sha256.hash(content), signer: signer)
                    }
                } catch let error as CMSFormatError {
                    #expect(!error.description.contains(".swift"), "a message names Swift internals: \(error)")
                    rejected += 1
                }
            }
        }
        #expect(rejected > paths.count)
    }
}
