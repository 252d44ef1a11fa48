import CardImages
import Foundation
import KenmenAP
import Testing

/// Whatever a card (or a broken card) returns, the parsers answer with an error, never a crash.
@Suite("Parsers on corrupt card data")
struct ParserRobustnessTests {
    /// The real files of the healthy profile, to mutate.
    static let files: [String: [UInt8]] = {
        let profile = fixtures.appendingPathComponent("profiles/healthy")
        var files: [String: [UInt8]] = [:]
        for name in ["text/0001-my-number.bin", "text/0002-basic-info.bin", "text/0003-signature.bin", "text/0004-cv-cert.bin",
                     "face/0002-card-face.bin", "face/face.jp2"] {
            files[name] = (try? [UInt8](Data(contentsOf: profile.appendingPathComponent(name)))) ?? []
        }
        return files
    }()

    /// Runs every parser on `bytes`, ignoring the errors they throw.
    static func parseEverything(_ bytes: [UInt8]) {
        _ = try? MyNumber(file: bytes)
        _ = try? BasicInfo(file: bytes)
        _ = try? CVCertificate(der: bytes)
        _ = try? CardFace(file: bytes)
        _ = try? JPEG2000Decoder.decode(bytes)
        if let info = try? BasicInfo(file: Self.files["text/0002-basic-info.bin"]!),
           let certificate = try? CVCertificate(der: Self.files["text/0004-cv-cert.bin"]!) {
            _ = try? TextAuthenticityReport(myNumberFile: bytes, basicInfo: info, signatureFile: bytes, certificate: certificate, root: nil)
        }
    }

    @Test("the healthy profile's files parse, so the mutations below start from real data")
    func realFilesParse() throws {
        #expect(try MyNumber(file: Self.files["text/0001-my-number.bin"]!).hasValidCheckDigit)
        _ = try BasicInfo(file: Self.files["text/0002-basic-info.bin"]!)
        _ = try CVCertificate(der: Self.files["text/0004-cv-cert.bin"]!)
        _ = try CardFace(file: Self.files["face/0002-card-face.bin"]!)
    }

    @Test("truncated files are errors, never crashes")
    func truncated() {
        for bytes in Self.files.values where !bytes.isEmpty {
            for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 64)) {
                Self.parseEverything(Array(bytes.prefix(length)))
            }
        }
    }

    @Test("randomly corrupted files are errors, never crashes")
    func corrupted() {
        var generator = SystemRandomNumberGenerator()
        for bytes in Self.files.values where !bytes.isEmpty {
            for _ in 0..<150 {
                var mutated = bytes
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
                Self.parseEverything(mutated)
            }
        }
    }

    @Test("random bytes are errors, never crashes")
    func random() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            Self.parseEverything((0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
    }
}
