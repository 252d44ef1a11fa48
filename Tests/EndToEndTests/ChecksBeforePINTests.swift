import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// No PIN try is spent on a command that was bound to fail: paths are checked before any PIN is asked for or
/// sent, and the card is looked for before a large file is read.
@Suite("Checks before any PIN", .serialized)
struct ChecksBeforePINTests {
    @Test("a command whose input or output cannot work fails with exit 5 before any PIN reaches the card")
    func doomedCommandsSpendNoTry() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let document = try writeFile("doc", named: "doc.txt", in: dir)
        // A regular file: nothing can be made beneath it.
        let notAFolder = try writeFile("x", named: "plain-file", in: dir)
        let signature = dir.appendingPathComponent("doc.sig").path
        try Data((0..<256).map { UInt8($0) }).write(to: URL(fileURLWithPath: signature))
        // Wrong PINs of the right shape: had any been sent, a counter would be one lower.
        let cases: [([String], String)] = [
            (["jpki", "sign", "--key", "auth", document, "-o", dir.appendingPathComponent("missing/dir/x").path], "9999"),
            (["jpki", "sign", "--key", "auth", document, "--out-dir", notAFolder + "/signatures"], "9999"),
            (["jpki", "sign", "--key", "sign", document, "--out-dir", notAFolder], "WRONG1"),
            (["jpki", "cert", "sign", "-o", dir.appendingPathComponent("missing/sign.pem").path], "WRONG1"),
            (["jpki", "login", "--challenge", "00FF", "-o", notAFolder + "/bundle.json"], "9999"),
            (["face", "--pin-b", "-o", notAFolder + "/face"], "00000000000000"),
            (["jpki", "verify", "--from-card", "sign", "--signature", signature, dir.appendingPathComponent("missing.pdf").path], "WRONG1"),
            (["text", "--root", dir.appendingPathComponent("missing.pem").path], "9999"),
        ]
        for (arguments, wrongPIN) in cases {
            // (--json where the command takes it: with --out-dir, signatures are files, not one JSON document.)
            let json = arguments.contains("--out-dir") ? [] : ["--json"]
            let result = try card.run(arguments + ["--pin-stdin"] + json, input: wrongPIN + "\n")
            #expect(result.exitCode == 5, "\(arguments): \(result.stderr)")
            if !json.isEmpty {
                #expect((result.json?["error"] as? [String: Any])?["kind"] as? String == "input-error", "\(arguments): \(result.stdoutText)")
            }
        }
        let left = try card.triesLeft()
        #expect(left["auth"] == 3 && left["sign"] == 5 && left["text"] == 3 && left["face-b"] == 10, "\(left)")
    }

    @Test("the card is looked for before the file is read: no card ends the command at once, even with an input that never ends")
    func cardLookedForBeforeHashing() throws {
        let card = try EmulatedCardFixture(insertNow: false)
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A FIFO the test holds open for writing and never finishes: reading it to its end would never return.
        let fifo = dir.appendingPathComponent("endless").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = open(fifo, O_RDWR)
        #expect(writer >= 0)
        defer { close(writer) }
        let result = try card.run(["jpki", "sign", "--key", "auth", fifo, "--format", "base64", "--pin-env", "P", "--json"],
                                  environment: ["P": "1234"], timeout: 30)
        #expect(!result.timedOut, "it read the input before looking for the card")
        #expect(result.exitCode == 3, "\(result.stderr)")
        #expect((result.json?["error"] as? [String: Any])?["kind"] as? String == "no-card")
    }
}
