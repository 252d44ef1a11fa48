import CMS
import Foundation
import TestSigners
import Testing
import X509
import XMLSignature

/// A folder with the e-Gov style inputs of fixtures/xml and the attached 委任状.pdf.
func xmlInputs() throws -> URL {
    let folder = try TestFiles.scratchDirectory("xml")
    for name in ["kousei.xml", "TEST00000000000001_01.xml"] {
        try FileManager.default.copyItem(at: TestFiles.fixture("xml/" + name), to: folder.appendingPathComponent(name))
    }
    try FileManager.default.copyItem(at: TestFiles.fixture("pdf/ghostscript.pdf"), to: folder.appendingPathComponent("委任状.pdf"))
    return folder
}

func attachments(in folder: URL) -> [XMLAttachment] {
    ["TEST00000000000001_01.xml", "委任状.pdf"].map { XMLAttachment(name: $0, file: folder.appendingPathComponent($0)) }
}

func lookUp(in folder: URL) -> (String) -> XMLAttachment? {
    { name in
        let url = folder.appendingPathComponent(name)
        return FileManager.default.fileExists(atPath: url.path) ? XMLAttachment(name: name, file: url) : nil
    }
}

@Suite("XML signatures for e-Gov")
struct XMLSigningTests {
    let signer = try! SoftwareSigner.fixture()
    let time = Date(timeIntervalSince1970: 1_767_225_600)

    @Test("a signed 構成情報 verifies: the element by its ID and each attached file by its percent-encoded name")
    func signAndVerify() throws {
        let folder = try xmlInputs()
        defer { try? FileManager.default.removeItem(at: folder) }
        let document = Array(try Data(contentsOf: folder.appendingPathComponent("kousei.xml")))
        let signed = try XMLSignature.sign(document, attachments: attachments(in: folder), with: signer, signingTime: time)
        let text = String(decoding: signed, as: UTF8.self)
        #expect(text.contains("<署名情報><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\""))
        #expect(text.contains("URI=\"#構成情報\""))
        #expect(text.contains("URI=\"%E5%A7%94%E4%BB%BB%E7%8A%B6.pdf\""))
        #expect(text.contains("URI=\"TEST00000000000001_01.xml\""))
        #expect(text.contains("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"))
        #expect(text.contains("</構成情報><署名情報>"))
        let reports = try XMLSignature.verify(signed, attachment: lookUp(in: folder))
        #expect(reports.count == 1)
        let report = try #require(reports.first)
        #expect(report.isValid, "\(report.problems) \(report.references)")
        #expect(report.references.map(\.target) == ["#構成情報", "TEST00000000000001_01.xml", "委任状.pdf"])
        #expect(report.signerCertificate == signer.certificate)
    }

    @Test("a one-byte change inside the signed element, or in an attached file, is found")
    func tampering() throws {
        let folder = try xmlInputs()
        defer { try? FileManager.default.removeItem(at: folder) }
        let document = Array(try Data(contentsOf: folder.appendingPathComponent("kousei.xml")))
        let signed = try XMLSignature.sign(document, attachments: attachments(in: folder), with: signer, signingTime: time)
        var changed = signed
        let needle = Array("TEST000000000000</手続ID>".utf8)
        let index = try #require(changed.indices.first { changed[$0...].starts(with: needle) })
        changed[index] = UInt8(ascii: "B")
        let report = try #require(try XMLSignature.verify(changed, attachment: lookUp(in: folder)).first)
        #expect(!report.isValid)
        #expect(report.references.first?.detail == "the element #構成情報 was changed after signing")

        var pdf = try Data(contentsOf: folder.appendingPathComponent("委任状.pdf"))
        pdf[100] ^= 0x01
        try pdf.write(to: folder.appendingPathComponent("委任状.pdf"))
        let second = try #require(try XMLSignature.verify(signed, attachment: lookUp(in: folder)).first)
        #expect(!second.isValid)
        #expect(second.references.last?.detail == "the file 委任状.pdf was changed after signing")
    }

    @Test("a second signer joins the first in 署名情報, and both verify")
    func coSigning() throws {
        let folder = try xmlInputs()
        defer { try? FileManager.default.removeItem(at: folder) }
        let document = Array(try Data(contentsOf: folder.appendingPathComponent("kousei.xml")))
        let once = try XMLSignature.sign(document, attachments: attachments(in: folder), with: signer, signingTime: time)
        let twice = try XMLSignature.sign(once, attachments: attachments(in: folder), with: try SoftwareSigner.fixture(profile: "last-try"), signingTime: time)
        let reports = try XMLSignature.verify(twice, attachment: lookUp(in: folder))
        #expect(reports.count == 2)
        #expect(reports.allSatisfy { $0.isValid })
        #expect(Set(reports.compactMap(\.id)).count == 2)
        #expect(String(decoding: twice, as: UTF8.self).components(separatedBy: "<署名情報>").count == 2)
    }

    @Test("an EC P-384 key (openssl) signs with ecdsa-sha384, and the signature verifies")
    func ecdsa() throws {
        let folder = try xmlInputs()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pki = try ECTestPKI(in: folder)
        let document = Array(try Data(contentsOf: folder.appendingPathComponent("kousei.xml")))
        let signed = try XMLSignature.sign(document, attachments: attachments(in: folder), with: pki.signer, signingTime: time)
        #expect(String(decoding: signed, as: UTF8.self).contains("xmldsig-more#ecdsa-sha384"))
        let report = try #require(try XMLSignature.verify(signed, attachment: lookUp(in: folder)).first)
        #expect(report.isValid, "\(report.problems)")
        #expect(report.algorithm == .ecdsa(.sha384))
    }

    @Test("a document without the ID, with a DOCTYPE, or not XML at all is refused with a reason")
    func badDocuments() throws {
        #expect(throws: XMLSignatureError.elementNotFound("構成情報")) {
            try XMLSignature.sign(Array("<a ID=\"x\"/>".utf8), with: signer)
        }
        let doctype = "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><a ID=\"構成情報\">&e;</a>"
        #expect(throws: XMLSignatureError.self) { try XMLSignature.sign(Array(doctype.utf8), with: signer) }
        #expect(throws: XMLSignatureError.self) { try XMLSignature.sign(Array("not < xml".utf8), with: signer) }
        #expect(throws: XMLSignatureError.badAttachmentName("../secret")) {
            try XMLSignature.sign(Array("<a ID=\"構成情報\"/>".utf8), attachments: [XMLAttachment(name: "../secret", bytes: [])], with: signer)
        }
    }

    @Test("when the signed element is the root, the signature sits inside it with the enveloped-signature transform")
    func rootElement() throws {
        let signed = try XMLSignature.sign(Array("<構成情報 ID=\"構成情報\"><a>1</a></構成情報>".utf8), with: signer, signingTime: time)
        #expect(String(decoding: signed, as: UTF8.self).contains(XMLSignature.envelopedSignature))
        let report = try #require(try XMLSignature.verify(signed) { _ in nil }.first)
        #expect(report.isValid, "\(report.problems) \(report.references)")
    }

    @Test("percent-encoding keeps unreserved characters and encodes UTF-8 bytes, and decodes back")
    func percentEncoding() {
        #expect(XMLSignature.percentEncoded("構成情報") == "%E6%A7%8B%E6%88%90%E6%83%85%E5%A0%B1")
        #expect(XMLSignature.percentEncoded("a b_1.xml") == "a%20b_1.xml")
        #expect(XMLSignature.percentDecoded("%E5%A7%94%E4%BB%BB%E7%8A%B6.pdf") == "委任状.pdf")
        #expect(XMLSignature.percentDecoded("%FF") == nil)
    }
}
