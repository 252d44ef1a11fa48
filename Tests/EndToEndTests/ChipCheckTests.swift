import Foundation
import Testing

/// The chip check (internal authentication) through pcscd: `face` and `text` say separately whether the data is
/// what J-LIS signed and whether the chip is the one it was issued on.
@Suite("Chip check through pcscd", .serialized)
struct ChipCheckTests {
    private let faceRoot = EmulatedCardFixture.packageRoot.appendingPathComponent("fixtures/ca/face-root.pem").path
    private let textRoot = EmulatedCardFixture.packageRoot.appendingPathComponent("fixtures/ca/text-root.pem").path

    @Test("a healthy card: data genuine and chip genuine, in face and text, text and JSON")
    func healthy() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chip-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let face = try card.run(["face", "--pin-b", "--pin-stdin", "--json", "--root", faceRoot, "-o", directory.path],
                                input: card.pin("pinB") + "\n")
        #expect(face.exitCode == 0, "\(face.stderr)")
        #expect((face.json?["authenticity"] as? [String: Any])?["result"] as? String == "genuine")
        let chip = try #require(face.json?["chip"] as? [String: Any])
        #expect(chip["result"] as? String == "genuine")
        #expect(chip["challengeSignatureVerifies"] as? Bool == true)

        let text = try card.run(["text", "--pin-stdin", "--root", textRoot], input: card.pin("text") + "\n")
        #expect(text.exitCode == 0, "\(text.stderr)")
        #expect(text.stdoutText.contains("data:         genuine"))
        #expect(text.stdoutText.contains("chip:         genuine"))
    }

    @Test("the card's data copied onto another chip: data genuine, chip NOT genuine, exit 1")
    func clonedChip() throws {
        let card = try EmulatedCardFixture(profile: "cloned-chip")
        defer { card.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chip-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let face = try card.run(["face", "--pin-b", "--pin-stdin", "--root", faceRoot, "-o", directory.path], input: card.pin("pinB") + "\n")
        #expect(face.exitCode == 1)
        #expect(face.stdoutText.contains("data:          genuine"))
        #expect(face.stdoutText.contains("chip:          NOT genuine"))
        #expect(face.stderr.contains("the chip is not genuine"))

        let text = try card.run(["text", "--pin-stdin", "--json", "--root", textRoot], input: card.pin("text") + "\n")
        #expect(text.exitCode == 1)
        #expect((text.json?["authenticity"] as? [String: Any])?["result"] as? String == "genuine")
        let chip = try #require(text.json?["chip"] as? [String: Any])
        #expect(chip["result"] as? String == "not-genuine")
        #expect(chip["challengeSignatureVerifies"] as? Bool == false)
        #expect((chip["reason"] as? String)?.contains("another chip") == true)
    }
}
