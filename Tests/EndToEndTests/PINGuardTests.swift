import Foundation
import Testing

/// The PIN guard and PIN secrecy, as a user of the signing and login commands meets them.
@Suite("PIN guard and PIN secrecy through pcscd", .serialized)
struct PINGuardTests {
    func authTriesLeft(_ card: EmulatedCardFixture) throws -> Int? {
        let status = try card.run(["pin", "status", "--json"])
        let pins = status.json?["pins"] as? [[String: Any]] ?? []
        return pins.first { $0["pin"] as? String == "auth" }?["triesLeft"] as? Int
    }

    @Test("a wrong auth PIN costs exactly one try and says how many remain (exit 2, pin-wrong)")
    func wrongPINCostsOneTry() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let result = try card.run(["jpki", "login", "--challenge", "00FF", "--pin-stdin"], input: "9876\n")
        #expect(result.exitCode == 2)
        #expect((result.json?["error"] as? [String: Any])?["kind"] as? String == "pin-wrong")
        #expect(result.stderr.contains("2 tries remain"))
        #expect(try authTriesLeft(card) == 2)
    }

    @Test("with one try left, signing is refused without --force and no try is spent; with --force it signs")
    func lastTryNeedsForce() throws {
        let card = try EmulatedCardFixture(profile: "last-try")
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("x.txt")
        try Data("x".utf8).write(to: file)
        let refused = try card.run(["jpki", "sign", "--key", "auth", file.path, "--format", "json", "--pin-stdin"], input: card.pin("auth") + "\n")
        #expect(refused.exitCode == 2)
        #expect((refused.json?["error"] as? [String: Any])?["kind"] as? String == "pin-last-try-refused")
        #expect(refused.stderr.contains("--force"))
        #expect(try authTriesLeft(card) == 1)
        let forced = try card.run(["jpki", "sign", "--key", "auth", file.path, "--format", "json", "--pin-stdin", "--force"], input: card.pin("auth") + "\n")
        #expect(forced.exitCode == 0, "\(forced.stderr)")
        #expect(forced.json?["signature"] as? String != nil)
    }

    @Test("a blocked auth PIN gives the blocked message with where to reset it, and nothing is signed")
    func blockedPIN() throws {
        let card = try EmulatedCardFixture(profile: "blocked-pin")
        defer { card.stop() }
        let result = try card.run(["jpki", "login", "--challenge", "00FF", "--pin-stdin", "--force"], input: card.pin("auth") + "\n")
        #expect(result.exitCode == 2)
        #expect((result.json?["error"] as? [String: Any])?["kind"] as? String == "pin-blocked")
        #expect(result.stderr.contains("blocked"))
        #expect(result.stderr.contains("municipal office counter"))
        #expect(result.json?["signature"] == nil)
    }

    @Test("a PIN that may not be tried is not even asked for: the refusal comes before any prompt", arguments: [
        ("last-try", ["jpki", "sign", "--key", "auth", "-"], "pin-last-try-refused"),
        ("last-try", ["jpki", "login", "--challenge", "00FF"], "pin-last-try-refused"),
        ("blocked-pin", ["jpki", "login", "--challenge", "00FF"], "pin-blocked"),
        ("blocked-pin", ["pin", "change", "auth"], "pin-blocked"),
    ])
    func refusedBeforeAsking(profile: String, arguments: [String], kind: String) throws {
        let card = try EmulatedCardFixture(profile: profile)
        defer { card.stop() }
        // No PIN source and no terminal: had the tool asked for a PIN, it would fail with pin-input instead.
        let result = try card.run(arguments + ["--json"], input: "data to sign")
        #expect(result.exitCode == 2, "\(result.stderr)")
        #expect((result.json?["error"] as? [String: Any])?["kind"] as? String == kind, "\(result.stdoutText)")
    }

    @Test("no command prints a PIN, whether it succeeds or fails, from --pin-stdin or --pin-env")
    func pinsNeverPrinted() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("doc.txt")
        try Data("document".utf8).write(to: file)
        let auth = card.pin("auth"), sign = card.pin("sign")
        let newSign = "QWERTY77"
        var results: [(String, CommandResult)] = []
        func run(_ name: String, _ arguments: [String], input: String? = nil, env: [String: String] = [:]) throws {
            results.append((name, try card.run(arguments, input: input, environment: env)))
        }
        let sigPath = dir.appendingPathComponent("doc.sig").path
        try run("sign auth stdin", ["jpki", "sign", "--key", "auth", file.path, "--format", "base64", "--pin-stdin"], input: auth + "\n")
        try run("sign sign stdin", ["jpki", "sign", "--key", "sign", file.path, "-o", sigPath, "--pin-stdin"], input: sign + "\n")
        try run("sign sign env json", ["jpki", "sign", "--key", "sign", "--format", "json", file.path, "--pin-env", "P"], env: ["P": sign])
        try run("sign cms stdin", ["jpki", "sign", "--key", "sign", "--cms", "--chain", "--format", "base64", file.path, "--pin-stdin"], input: sign + "\n")
        try run("verify from card", ["jpki", "verify", "--signature", sigPath, "--from-card", "sign", file.path, "--pin-env", "P", "--json"], env: ["P": sign])
        try run("login env", ["jpki", "login", "--challenge", "C0FFEE", "--pin-env", "P"], env: ["P": auth])
        try run("login stdin", ["jpki", "login", "--challenge", "C0FFEE", "--pin-stdin"], input: auth + "\n")
        try run("pin change", ["pin", "change", "sign", "--pin-stdin"], input: "\(sign)\n\(newSign)\n")
        try run("pin change back", ["pin", "change", "sign", "--pin-stdin"], input: "\(newSign)\n\(sign)\n")
        // Error paths: wrong PINs, badly shaped PINs, a PIN given where a different one is needed.
        try run("wrong auth", ["jpki", "sign", "--key", "auth", file.path, "--pin-stdin", "--format", "json"], input: "4321\n")
        try run("bad shape env", ["jpki", "login", "--challenge", "00", "--pin-env", "P"], env: ["P": "WRONG99"])
        try run("bad shape", ["jpki", "sign", "--key", "sign", file.path, "--pin-stdin"], input: "abc-123\n")
        try run("bad new pin", ["pin", "change", "auth", "--pin-stdin"], input: "\(auth)\n98x\n")
        try run("missing new pin", ["pin", "change", "auth", "--pin-stdin"], input: "\(auth)\n")
        try run("unreadable file", ["jpki", "sign", "--key", "auth", "/nonexistent/file", "--pin-stdin"], input: auth + "\n")
        let expectedExit: [String: Int32] = [
            "sign auth stdin": 0, "sign sign stdin": 0, "sign sign env json": 0, "sign cms stdin": 0, "verify from card": 0, "login env": 0, "login stdin": 0,
            "pin change": 0, "pin change back": 0, "wrong auth": 2, "bad shape env": 2, "bad shape": 2, "bad new pin": 2,
            "missing new pin": 5, "unreadable file": 5,
        ]
        for (name, result) in results {
            #expect(result.exitCode == expectedExit[name], "\(name): \(result.allOutput)")
            for secret in [auth, sign, newSign, "4321", "WRONG99", "abc-123", "98x"] {
                #expect(!Self.printsAsWord(secret, in: result.allOutput), "\(name) printed a PIN")
            }
        }
    }

    /// Whether `secret` appears in `output` on its own, not inside a longer run of base64 or hex (a CMS in
    /// base64 holds any three characters by chance, and its signing time changes it on every run).
    static func printsAsWord(_ secret: String, in output: String) -> Bool {
        let encoded = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var searchFrom = output.startIndex
        while let found = output.range(of: secret, range: searchFrom..<output.endIndex) {
            let before = found.lowerBound == output.startIndex ? nil : output[output.index(before: found.lowerBound)]
            let after = found.upperBound == output.endIndex ? nil : output[found.upperBound]
            let inEncodedRun = (before.map(encoded.contains) ?? false) || (after.map { encoded.contains($0) || $0 == "=" } ?? false)
            if !inEncodedRun { return true }
            searchFrom = output.index(after: found.lowerBound)
        }
        return false
    }
}
