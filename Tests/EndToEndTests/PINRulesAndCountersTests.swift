import Foundation
import Testing

/// Every PIN counter, the rules that keep a mistyped PIN from costing a try, and PIN-B from the card face,
/// as a user of the real binary meets them.
@Suite("PIN counters, PIN rules and PIN-B from the card face through pcscd", .serialized)
struct PINRulesAndCountersTests {
    /// The PINs `pin status` lists on a healthy card, in order, with their applets and tries.
    static let healthyPINs: [(pin: String, applet: String, tries: Int)] = [
        ("auth", "jpki", 3), ("sign", "jpki", 5), ("text", "text", 3), ("text-a", "text", 10), ("text-b", "text", 10),
        ("face-a", "face", 10), ("face-b", "face", 10), ("juki", "juki", 3),
    ]

    func triesLeft(_ card: EmulatedCardFixture, _ pin: String) throws -> Int? {
        let pins = try card.run(["pin", "status", "--json"]).json?["pins"] as? [[String: Any]] ?? []
        return pins.first { $0["pin"] as? String == pin }?["triesLeft"] as? Int
    }

    func errorKind(_ result: CommandResult) -> String? {
        (result.json?["error"] as? [String: Any])?["kind"] as? String
    }

    @Test("pin status lists the eight PINs of a healthy card, JSON and text, and check has a line for each")
    func eightPINs() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let status = try card.run(["pin", "status", "--json"])
        #expect(status.exitCode == 0, "\(status.stderr)")
        let pins = try #require(status.json?["pins"] as? [[String: Any]])
        #expect(pins.map { $0["pin"] as? String ?? "" } == Self.healthyPINs.map(\.pin))
        for (entry, expected) in zip(pins, Self.healthyPINs) {
            #expect(entry["applet"] as? String == expected.applet, "\(expected.pin)")
            #expect(entry["status"] as? String == "ok", "\(expected.pin)")
            #expect(entry["triesLeft"] as? Int == expected.tries, "\(expected.pin)")
            #expect(entry["maximumTries"] as? Int == expected.tries, "\(expected.pin)")
        }
        let text = try card.run(["pin", "status"])
        #expect(text.stdoutText.contains("juki    resident-registry PIN (住民基本台帳用暗証番号): 3 tries left"), "\(text.stdoutText)")
        #expect(text.stdoutText.contains("text-b  text applet PIN-B"), "\(text.stdoutText)")
        let check = try card.run(["check", "--json"])
        #expect(check.exitCode == 0, "\(check.stdoutText)")
        let checks = try #require(check.json?["checks"] as? [[String: Any]])
        for expected in Self.healthyPINs {
            #expect(checks.first { $0["id"] as? String == "pin-" + expected.pin }?["status"] as? String == "ok", "pin-\(expected.pin)")
        }
        #expect(checks.first { $0["id"] as? String == "applet-juki" }?["status"] as? String == "ok")
    }

    @Test("a card without the resident-registry applet is still green: that applet serves the municipal office only")
    func withoutResidentRegistryApplet() throws {
        let card = try EmulatedCardFixture { manifest in
            manifest["applets"] = (manifest["applets"] as? [[String: Any]] ?? []).filter { $0["name"] as? String != "JukiAP" }
        }
        defer { card.stop() }
        let check = try card.run(["check", "--json"])
        #expect(check.exitCode == 0, "\(check.stdoutText)")
        let pins = try #require(try card.run(["pin", "status", "--json"]).json?["pins"] as? [[String: Any]])
        #expect(pins.count == 7)
    }

    @Test("the signing password may be typed in lower case")
    func lowerCaseSigningPassword() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let result = try card.run(["jpki", "cert", "sign", "--format", "json", "--pin-stdin"], input: card.pin("sign").lowercased() + "\n")
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.json?["certificate"] as? String == "sign")
        #expect(try triesLeft(card, "sign") == 5)
    }

    @Test("a new signing password without a digit is refused before anything is sent: even a wrong current one is not tried")
    func newSigningPasswordNeedsLettersAndDigits() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let result = try card.run(["pin", "change", "sign", "--pin-stdin", "--json"], input: "WRONG99\nONLYLETTERS\n")
        #expect(result.exitCode == 2, "\(result.stderr)")
        #expect(errorKind(result) == "pin-invalid-format")
        #expect(result.stderr.contains("at least one letter and one digit"))
        #expect(try triesLeft(card, "sign") == 5)
    }

    @Test("PIN-A with a wrong check digit and PIN-B with an impossible date cost no try", arguments: [
        (["face", "--pin-a"], "123456789011", "face-a", "check digit"),
        (["face", "--pin-b"], "02133120354821", "face-b", "month"),
        (["face", "--pin-b"], "02010120154821", "face-b", "expiry year"),
    ])
    func impossibleFacePINs(arguments: [String], typed: String, pin: String, reason: String) throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try card.run(arguments + ["--pin-stdin", "--json", "-o", directory.path], input: typed + "\n")
        #expect(result.exitCode == 2, "\(result.stderr)")
        #expect(errorKind(result) == "pin-invalid-format")
        #expect(result.stderr.contains(reason), "\(result.stderr)")
        #expect(!result.allOutput.contains(typed))
        #expect(try triesLeft(card, pin) == 10)
    }

    @Test("face builds PIN-B from the printed birth date, expiry year and security code, and says which year form it tries")
    func pinBFromCardFace() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try card.run(["face", "--birth-date", "1990-01-01", "--expiry-year", "2035", "--security-code", "4821",
                                   "--json", "-o", directory.path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.json?["pinBYearForm"] as? String == "japanese-era")
        #expect(result.json?["expiryDate"] as? String == "2035-01-01")
        #expect(result.stderr.contains("Japanese-era year"))
        #expect(result.stderr.contains("--foreign-resident"))
        #expect(!result.allOutput.contains(card.pin("pinB")))
    }

    @Test("the security code, part of PIN-B, can come from the PIN input instead of the command line", arguments: ["stdin", "env", "fd"])
    func securityCodeFromPINInput(source: String) throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let printed = ["face", "--birth-date", "1990-01-01", "--expiry-year", "2035", "--json", "-o", directory.path]
        let code = card.holderString("securityCode")
        let result = switch source {
        case "stdin": try card.run(printed + ["--pin-stdin"], input: code + "\n")
        case "env": try card.run(printed + ["--pin-env", "SECURITY_CODE"], environment: ["SECURITY_CODE": code])
        default: try card.run(printed + ["--pin-fd", "0"], input: code + "\n")
        }
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.json?["pinBYearForm"] as? String == "japanese-era")
        #expect(!result.allOutput.contains(card.pin("pinB")))
        // A code that is not 4 digits is refused before anything is sent.
        let short = try card.run(printed + ["--pin-stdin"], input: "48\n")
        #expect(short.exitCode == 2, "\(short.stderr)")
        #expect(errorKind(short) == "pin-invalid-format")
        #expect(short.stderr.contains("4 digits"), "\(short.stderr)")
        #expect(try triesLeft(card, "face-b") == 10)
    }

    @Test("at a terminal the security code is asked for with no echo")
    func securityCodePrompt() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let code = card.holderString("securityCode")
        let session = try TerminalSession.run(
            ["face", "--birth-date", "1990-01-01", "--expiry-year", "2035", "-o", directory.path, "--reader", card.readerName],
            steps: [.expect("security code"), .echo(false), .type(code + "\n"), .expect("chip:"), .ended])
        #expect(session.failure == nil, "\(session.failure ?? ""): \(session.screen)")
        #expect(session.exitCode == 0, "\(session.screen)")
        #expect(!session.screen.contains(code), "the security code was echoed")
    }

    @Test("a foreign resident's card opens with the Western year; the era form costs one try and points to --foreign-resident")
    func foreignResident() throws {
        let card = try EmulatedCardFixture(profile: "foreign-resident")
        defer { card.stop() }
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let printed = ["face", "--birth-date", "1990-01-01", "--expiry-year", "2035", "--security-code", "4821", "--json", "-o", directory.path]
        let eraForm = try card.run(printed)
        #expect(eraForm.exitCode == 2)
        #expect(errorKind(eraForm) == "pin-wrong")
        #expect(eraForm.stderr.contains("needs --foreign-resident"), "\(eraForm.stderr)")
        #expect(try triesLeft(card, "face-b") == 9)
        let western = try card.run(printed + ["--foreign-resident"])
        #expect(western.exitCode == 0, "\(western.stderr)")
        #expect(western.json?["pinBYearForm"] as? String == "gregorian")
        #expect(western.stderr.contains("Western (Gregorian) year"))
        #expect(try triesLeft(card, "face-b") == 10)
    }

    @Test("a card pulled out during the VERIFY: the try may have been counted, and pin status is the next step")
    func pulledDuringVerify() throws {
        // The face command sends SELECT and the retry query, then — the PIN read with the card free — SELECT, the
        // retry query again and the VERIFY with PIN-B; other engineers may add reads before it, so look for the pull
        // that lands on the VERIFY in a small window.
        var found: CommandResult?
        for answered in 2...7 where found == nil {
            let card = try EmulatedCardFixture(pullAfter: answered)
            defer { card.stop() }
            let directory = try scratchDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let result = try card.run(["face", "--pin-b", "--pin-stdin", "-o", directory.path], input: card.pin("pinB") + "\n", timeout: 30)
            #expect(!result.timedOut)
            if result.stderr.contains("was being checked") { found = result }
        }
        let result = try #require(found, "no pull landed on the VERIFY")
        #expect(result.exitCode == 4 || result.exitCode == 3, "\(result.stderr)")
        #expect(result.stderr.contains("may have counted this try"))
        #expect(result.stderr.contains("mynacard pin status"))
    }
}
