import CMS
import Foundation
import PDFSignature
import TestSigners
import Testing
import XMLSignature

/// A small deterministic generator, so a failing mutation can be replayed.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }
}

@Suite("Damaged and hostile documents give errors, never crashes")
struct HostileInputTests {
    @Test("signed PDFs with bytes flipped, cut or inserted are read, checked and signed without trapping", arguments: pdfInputs)
    func mutatedPDFs(name: String) throws {
        let signer = try SoftwareSigner.fixture()
        let signed = try PDFFile(bytes: try pdfFixture(name)).signed(by: signer)
        var random = SplitMix64(state: UInt64(name.utf8.count))
        var readable = 0
        for _ in 0..<150 {
            var bytes = signed
            switch random.below(3) {
            case 0:
                for _ in 0..<(1 + random.below(8)) { bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next()) }
            case 1:
                bytes = Array(bytes.prefix(random.below(bytes.count)))
            default:
                let at = random.below(bytes.count)
                bytes.insert(contentsOf: Array("<<[(/ 0 R>>".utf8).prefix(1 + random.below(10)), at: at)
            }
            guard let file = try? PDFFile(bytes: bytes) else { continue }
            readable += 1
            _ = try? file.signatureReports()
            _ = try? file.signed(by: signer)
        }
        #expect(readable > 0, "some mutations leave the file readable, so the checks below the parser ran too")
    }

    @Test("nesting, loops and absurd numbers in a PDF are refused with an error")
    func pathologicalPDFs() throws {
        let deep = "%PDF-1.7\n1 0 obj\n" + String(repeating: "[", count: 10_000) + "\nendobj\ntrailer\n<</Root 1 0 R>>\nstartxref\n9\n%%EOF\n"
        #expect(throws: PDFError.self) { try PDFFile(bytes: Array(deep.utf8)).signed(by: try SoftwareSigner.fixture()) }
        let loop = "%PDF-1.7\nxref\n0 1\n0000000000 65535 f \ntrailer\n<</Size 1 /Prev 9>>\nstartxref\n9\n%%EOF\n"
        #expect(throws: PDFError.self) { try PDFFile(bytes: Array(loop.utf8)).signed(by: try SoftwareSigner.fixture()) }
        let huge = "%PDF-1.7\nxref\n99999999999999999 5\ntrailer\n<<>>\nstartxref\n9\n%%EOF\n"
        #expect(throws: PDFError.self) { try PDFFile(bytes: Array(huge.utf8)) }
    }

    @Test("an XML bomb is refused before libxml2 expands anything, and damaged XML is an error")
    func hostileXML() throws {
        let bomb = """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
            <a ID="構成情報">&lol2;</a>
            """
        #expect(throws: XMLSignatureError.self) { try XMLSignature.verify(Array(bomb.utf8)) { _ in nil } }
        var random = SplitMix64(state: 7)
        let document = Array(try Data(contentsOf: TestFiles.fixture("xml/kousei.xml")))
        let signed = try XMLSignature.sign(document, with: try SoftwareSigner.fixture())
        for _ in 0..<100 {
            var bytes = signed
            bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
            if let reports = try? XMLSignature.verify(bytes, attachment: { _ in nil }) {
                _ = reports.map(\.isValid)
            }
        }
    }
}
