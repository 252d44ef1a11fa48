import Foundation
import Testing

/// `jpki serial`, `jpki login` / `login-verify` and `pin change` through the real stack.
@Suite("Serial, login and PIN change through pcscd", .serialized)
struct LoginAndPINTests {
    @Test("serial shows the auth certificate's serial number in hex and decimal, with issuer and validity")
    func serial() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let result = try card.run(["jpki", "serial", "--json"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let json = try #require(result.json)
        #expect(json["serialHex"] as? String == card.holderString("authSerialHex"))
        #expect((json["serialDecimal"] as? String)?.allSatisfy(\.isNumber) == true)
        #expect((json["issuer"] as? String)?.contains("JPKI TEST") == true)
        #expect(json["notValidAfter"] as? String == "2030-03-31T00:00:00Z")
    }

    @Test("a login bundle is accepted by login-verify with the auth CA, and rejected for another challenge or after expiry")
    func loginRoundTrip() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bundle = dir.appendingPathComponent("bundle.json").path
        let challenge = "00112233445566778899AABBCCDDEEFF"
        let login = try card.run(["jpki", "login", "--challenge", challenge, "-o", bundle, "--pin-env", "AUTH_PIN"],
                                 environment: ["AUTH_PIN": card.pin("auth")])
        #expect(login.exitCode == 0, "\(login.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bundle))) as? [String: Any])
        #expect(object["version"] as? Int == 1)
        #expect(object["algorithm"] as? String == "sha256WithRSAEncryption")
        #expect(object["serial"] as? String == card.holderString("authSerialHex"))
        #expect(Data(base64Encoded: object["challenge"] as? String ?? "") == Data((0..<16).map { UInt8($0 * 0x11) }))
        let fromStdin = try card.run(["jpki", "login", "--challenge", "-", "--pin-env", "AUTH_PIN"], input: "raw challenge",
                                     environment: ["AUTH_PIN": card.pin("auth")])
        #expect(fromStdin.exitCode == 0, "\(fromStdin.stderr)")
        #expect(fromStdin.json?["challenge"] as? String == Data("raw challenge".utf8).base64EncodedString())
        let ca = card.profileDirectory.appendingPathComponent("jpki/auth-ca.pem").path
        let accepted = try EmulatedCardFixture.runMynacard(["jpki", "login-verify", bundle, "--ca", ca, "--challenge", challenge, "--at", "2026-06-01"])
        #expect(accepted.exitCode == 0, "\(accepted.allOutput)")
        #expect(accepted.stdoutText.contains(card.holderString("authSerialHex")))
        let replay = try EmulatedCardFixture.runMynacard(["jpki", "login-verify", bundle, "--ca", ca, "--challenge", "AAAA", "--at", "2026-06-01", "--json"])
        #expect(replay.exitCode == 1)
        #expect(replay.json?["accepted"] as? Bool == false)
        #expect((replay.json?["reason"] as? String)?.contains("different challenge") == true)
        let expired = try EmulatedCardFixture.runMynacard(["jpki", "login-verify", bundle, "--ca", ca, "--at", "2031-01-01"])
        #expect(expired.exitCode == 1)
        #expect(expired.stdoutText.contains("expired"))
        let wrongCA = try EmulatedCardFixture.runMynacard(["jpki", "login-verify", bundle, "--ca",
                                                           card.profileDirectory.appendingPathComponent("jpki/sign-ca.pem").path, "--at", "2026-06-01"])
        #expect(wrongCA.exitCode == 1)
        #expect(wrongCA.stdoutText.contains("no trusted CA issued it"))
    }

    @Test("pin change reads the current and new PIN from standard input; afterwards only the new PIN works")
    func pinChange() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let change = try card.run(["pin", "change", "sign", "--pin-stdin"], input: card.pin("sign") + "\nNEWPASS42\n")
        #expect(change.exitCode == 0, "\(change.stderr)")
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a.txt")
        try Data("a".utf8).write(to: file)
        let withNew = try card.run(["jpki", "sign", "--key", "sign", file.path, "--format", "base64", "--pin-stdin"], input: "NEWPASS42\n")
        #expect(withNew.exitCode == 0, "\(withNew.stderr)")
        let withOld = try card.run(["jpki", "sign", "--key", "sign", file.path, "--pin-stdin", "--format", "json"], input: card.pin("sign") + "\n")
        #expect(withOld.exitCode == 2)
        #expect((withOld.json?["error"] as? [String: Any])?["kind"] as? String == "pin-wrong")
        let badShape = try card.run(["pin", "change", "auth", "--pin-stdin"], input: card.pin("auth") + "\n12345\n")
        #expect(badShape.exitCode == 2)
        #expect(badShape.stderr.contains("4 digits"))
    }

    @Test("the text applet PIN can be changed; the auth PIN, set alike at issuance, stays as it was")
    func textPINChange() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let change = try card.run(["pin", "change", "text", "--pin-stdin", "--json"], input: card.pin("text") + "\n4321\n")
        #expect(change.exitCode == 0, "\(change.stderr)")
        #expect(change.json?["pin"] as? String == "text")
        #expect(!change.allOutput.contains("4321"))
        let withNew = try card.run(["text", "--pin-stdin", "--json"], input: "4321\n")
        #expect(withNew.exitCode == 0, "\(withNew.stderr)")
        let withOld = try card.run(["text", "--pin-stdin", "--json"], input: card.pin("text") + "\n")
        #expect((withOld.json?["error"] as? [String: Any])?["kind"] as? String == "pin-wrong")
        let login = try card.run(["jpki", "login", "--challenge", "00112233", "--pin-stdin"], input: card.pin("auth") + "\n")
        #expect(login.exitCode == 0, "\(login.stderr)")
    }
}
