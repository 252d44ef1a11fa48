import CMS
import Foundation
import PDFSignature
import TestSigners
import Testing
import X509

/// The PDF inputs of fixtures/pdf, made by LibreOffice, Ghostscript and qpdf (see make-inputs.sh).
let pdfInputs = ["libreoffice.pdf", "ghostscript.pdf", "qpdf-object-streams.pdf", "qpdf-linearized.pdf"]

func pdfFixture(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: TestFiles.fixture("pdf/" + name)))
}

@Suite("Signing PDFs as incremental updates")
struct PDFSigningTests {
    let signer = try! SoftwareSigner.fixture()
    let time = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    @Test("each input keeps its bytes first and untouched, and gets one signature meeting every requirement", arguments: pdfInputs)
    func signsEachInput(name: String) throws {
        let original = try pdfFixture(name)
        let signed = try PDFFile(bytes: original).signed(by: signer, options: PDFSigningOptions(name: "番号　太郎", signingTime: time))
        #expect(signed.count > original.count)
        #expect(Array(signed.prefix(original.count)) == original)
        let reports = try PDFFile(bytes: signed).signatureReports()
        #expect(reports.count == 1)
        let report = try #require(reports.first)
        for requirement in report.requirements {
            #expect(requirement.passed, "\(requirement.id): \(requirement.detail)")
        }
        #expect(report.fieldName == "Signature1")
        #expect(report.name == "番号　太郎")
        #expect(report.signingTime == time)
        #expect(report.cms?.signingTime == time)
        #expect(report.coversWholeFile)
        #expect(report.coveredBytes == signed.count - (report.byteRange[2] - report.byteRange[1]))
        #expect(report.signerCertificate == signer.certificate)
    }

    @Test("a signed document signed again keeps both signatures valid; only the second covers the whole file", arguments: pdfInputs)
    func coSigning(name: String) throws {
        let once = try PDFFile(bytes: try pdfFixture(name)).signed(by: signer, options: PDFSigningOptions(name: "first", signingTime: time))
        let twice = try PDFFile(bytes: once).signed(by: signer, options: PDFSigningOptions(name: "second", signingTime: time.addingTimeInterval(60)))
        #expect(Array(twice.prefix(once.count)) == once)
        let reports = try PDFFile(bytes: twice).signatureReports()
        #expect(reports.map(\.name) == ["first", "second"])
        #expect(reports.map(\.fieldName) == ["Signature1", "Signature2"])
        #expect(reports.map(\.coversWholeFile) == [false, true])
        for report in reports {
            for requirement in report.requirements { #expect(requirement.passed, "\(report.fieldName) \(requirement.id): \(requirement.detail)") }
        }
    }

    @Test("a byte changed inside the signed range makes the integrity check fail")
    func tamperingIsFound() throws {
        var signed = try PDFFile(bytes: try pdfFixture("ghostscript.pdf")).signed(by: signer, options: PDFSigningOptions(signingTime: time))
        // Change one character of the title in the original revision, leaving the structure intact.
        let needle = Array("(mynacard test input".utf8)
        let index = try #require(signed.indices.first { signed[$0...].starts(with: needle) })
        signed[index + 1] = UInt8(ascii: "M")
        let report = try #require(try PDFFile(bytes: signed).signatureReports().first)
        let integrity = try #require(report.requirements.first { $0.id == "integrity" })
        #expect(!integrity.passed)
        #expect(integrity.detail.contains("does not match"))
    }

    @Test("bytes appended after the last signature fail \"nothing after the last signature\"")
    func appendedBytesAreFound() throws {
        var signed = try PDFFile(bytes: try pdfFixture("libreoffice.pdf")).signed(by: signer, options: PDFSigningOptions(signingTime: time))
        signed += Array("\n% appended later\n".utf8)
        let report = try #require(try PDFFile(bytes: signed).signatureReports().last)
        #expect(report.requirements.first { $0.id == "nothing-after" }?.passed == false)
        #expect(report.requirements.first { $0.id == "integrity" }?.passed == true)
    }

    @Test("an encrypted PDF is refused with a clear error")
    func encryptedIsRefused() throws {
        #expect(throws: PDFError.encrypted) { try PDFFile(bytes: try pdfFixture("encrypted.pdf")) }
        #expect(PDFError.encrypted.description.contains("qpdf --decrypt"))
    }

    @Test("bytes that are not a PDF, or a PDF cut short, are errors, not crashes")
    func damagedInputs() throws {
        #expect(throws: PDFError.notPDF) { try PDFFile(bytes: Array("hello".utf8)) }
        let original = try pdfFixture("libreoffice.pdf")
        for length in [10, 100, original.count / 2, original.count - 10] {
            #expect(throws: PDFError.self) { try PDFFile(bytes: Array(original.prefix(length))).signed(by: signer) }
        }
    }

    @Test("a PDF without a page tree is found unsignable before anything is signed; the fixtures are signable")
    func checkSignable() throws {
        let body = "%PDF-1.7\n1 0 obj\n<</Type /Catalog>>\nendobj\n"
        let pdf = body + "xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<</Size 2 /Root 1 0 R>>\nstartxref\n\(body.utf8.count)\n%%EOF\n"
        #expect(throws: PDFError.damaged("the catalog has no page tree")) { try PDFFile(bytes: Array(pdf.utf8)).checkSignable() }
        for name in pdfInputs { try PDFFile(bytes: try pdfFixture(name)).checkSignable() }
    }

    @Test("a signature made with an EC P-384 key (openssl) is checked like an RSA one")
    func ecdsaSignature() throws {
        let folder = try TestFiles.scratchDirectory("pdf-ec")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pki = try ECTestPKI(in: folder)
        let signed = try PDFFile(bytes: try pdfFixture("qpdf-object-streams.pdf")).signed(by: pki.signer, options: PDFSigningOptions(signingTime: time))
        let report = try #require(try PDFFile(bytes: signed).signatureReports().first)
        for requirement in report.requirements { #expect(requirement.passed, "\(requirement.id): \(requirement.detail)") }
        #expect(report.cms?.signatureAlgorithm == .ecdsa(.sha384))
        #expect(report.name == "EC TEST SIGNER")
    }

    @Test("/M is a PDF date in the given time zone, and parses back to the same instant")
    func pdfDates() throws {
        let tokyo = try #require(TimeZone(identifier: "Asia/Tokyo"))
        #expect(PDFFile.parsePDFDate("D:20260101090000+09'00'") == time)
        #expect(PDFFile.parsePDFDate("D:20260101000000Z") == time)
        #expect(PDFFile.parsePDFDate("D:2026") == nil)
        #expect(PDFFile.parsePDFDate("D:20261301000000Z") == nil)
        let signed = try PDFFile(bytes: try pdfFixture("ghostscript.pdf")).signed(by: signer, options: PDFSigningOptions(signingTime: time, timeZone: tokyo))
        #expect(try PDFFile(bytes: signed).signatureReports().first?.signingTimeText == "D:20260101090000+09'00'")
    }
}
