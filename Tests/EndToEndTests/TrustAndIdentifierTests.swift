import Foundation
import Testing

private let openssl = URL(fileURLWithPath: "/usr/bin/openssl")

/// Runs openssl, failing the test when it fails.
private func runOpenSSL(_ arguments: [String]) throws {
    let result = try EmulatedCardFixture.runProcess(openssl, arguments)
    guard result.exitCode == 0 else { throw FixtureError("openssl \(arguments.first ?? ""): \(result.stderr)") }
}

/// Trust decisions (`jpki verify`, `jpki login-verify`) and the identifiers behind login and My Key
/// (`jpki mykey-id`, masking in `jpki cert` and `check`), through the real stack.
@Suite("Trust anchors and holder identifiers through pcscd", .serialized)
struct TrustAndIdentifierTests {
    static let fixtureCA = EmulatedCardFixture.packageRoot.appendingPathComponent("fixtures/ca")

    @Test("jpki mykey-id shows the authentication certificate's common name and its two named parts, in text and JSON")
    func myKeyID() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let commonName = card.holderString("authCommonName")
        let json = try card.run(["jpki", "mykey-id", "--json"])
        #expect(json.exitCode == 0, "\(json.stderr)")
        #expect(json.json?["commonName"] as? String == commonName)
        #expect(json.json?["randomString"] as? String == String(commonName.prefix(14)))
        #expect(json.json?["terminalCode"] as? String == String(commonName.suffix(9)))
        #expect(json.json?["matchesExpectedShape"] as? Bool == true)
        let text = try card.run(["jpki", "mykey-id"])
        #expect(text.exitCode == 0, "\(text.stderr)")
        #expect(text.stdoutText.contains("マイキーID:"))
        #expect(text.stdoutText.contains(String(commonName.prefix(14))))
        #expect(text.stdoutText.contains("受付端末識別記号 (9):     " + String(commonName.suffix(9))))
    }

    @Test("jpki cert auth --format text|json shows neither the common name nor the serial unless --reveal")
    func certificateMasked() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let commonName = card.holderString("authCommonName"), serial = card.holderString("authSerialHex")
        for format in ["text", "json"] {
            let masked = try card.run(["jpki", "cert", "auth", "--format", format])
            #expect(masked.exitCode == 0, "\(masked.stderr)")
            #expect(!masked.allOutput.contains(commonName))
            #expect(!masked.allOutput.contains(String(commonName.prefix(14))))
            #expect(!masked.allOutput.contains(serial))
            #expect(masked.stdoutText.contains("CN=**************" + String(commonName.suffix(9))))
            let revealed = try card.run(["jpki", "cert", "auth", "--format", format, "--reveal"])
            #expect(revealed.exitCode == 0, "\(revealed.stderr)")
            #expect(revealed.stdoutText.contains(commonName))
            #expect(revealed.stdoutText.contains(serial))
        }
        let json = try #require(try card.run(["jpki", "cert", "auth", "--json"]).json)
        #expect(json["serialHex"] as? String == String(repeating: "*", count: serial.count))
        #expect(json["revealed"] as? Bool == false)
        #expect(json["der"] == nil, "the DER holds the common name and serial in the clear")
        let ca = try #require(try card.run(["jpki", "cert", "auth-ca", "--json"]).json)
        #expect(ca["revealed"] as? Bool == true)
        #expect(ca["der"] is String)
        for arguments in [["check"], ["check", "--json"]] {
            let check = try card.run(arguments)
            #expect(check.exitCode == 0, "\(check.allOutput)")
            #expect(!check.allOutput.contains(String(commonName.prefix(14))))
            #expect(!check.allOutput.contains(serial))
        }
    }

    @Test("a CMS made with a self-signed 'JPKI' certificate is UNTRUSTED (exit 6), never valid, unless its certificate is chosen with --cert")
    func forgedCMSIsUntrusted() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("forged.key").path, cert = dir.appendingPathComponent("forged.pem").path
        let content = dir.appendingPathComponent("contract.txt"), signature = dir.appendingPathComponent("contract.p7s").path
        try Data("pay 1,000,000 yen\n".utf8).write(to: content)
        try runOpenSSL(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "3650",
                        "-subj", "/C=JP/O=JPKI/OU=JPKI for digital signature/OU=Japan Agency for Local Authority Information Systems",
                        "-addext", "keyUsage=critical,digitalSignature,nonRepudiation"])
        try runOpenSSL(["cms", "-sign", "-binary", "-in", content.path, "-signer", cert, "-inkey", key, "-md", "sha256",
                        "-outform", "DER", "-out", signature])
        let json = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--cms", "--signature", signature, content.path, "--json"])
        #expect(json.exitCode == 6, "\(json.allOutput)")
        #expect(json.json?["valid"] as? Bool == false)
        #expect(json.json?["signatureMatches"] as? Bool == true)
        #expect(json.json?["trust"] as? String == "untrusted")
        #expect((json.json?["trustProblem"] as? String)?.contains("no trusted CA issued it") == true)
        let text = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--cms", "--signature", signature, content.path])
        #expect(text.exitCode == 6)
        #expect(text.stdoutText.hasPrefix("UNTRUSTED"))
        #expect(!text.stdoutText.contains("valid:"))
        // Naming the certificate is a trust decision; naming it as a CA is not enough, since it is no CA.
        let chosen = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--cms", "--signature", signature, "--cert", cert, content.path, "--json"])
        #expect(chosen.exitCode == 0, "\(chosen.allOutput)")
        #expect(chosen.json?["trust"] as? String == "given-certificate")
        let asCA = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--cms", "--signature", signature, "--ca", cert, content.path, "--json"])
        #expect(asCA.exitCode == 6, "\(asCA.allOutput)")
        #expect((asCA.json?["trustProblem"] as? String)?.contains("not allowed to issue certificates") == true)
    }

    @Test("a card's CMS signature is trusted with its CA given by --ca, and untrusted against the built-in J-LIS CAs")
    func cardCMSTrust() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let content = dir.appendingPathComponent("a.txt"), signature = dir.appendingPathComponent("a.p7s").path
        try Data("an agreement\n".utf8).write(to: content)
        let sign = try card.run(["jpki", "sign", "--key", "sign", "--cms", content.path, "-o", signature, "--pin-stdin"], input: card.pin("sign") + "\n")
        #expect(sign.exitCode == 0, "\(sign.stderr)")
        let trusted = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--cms", "--signature", signature, content.path, "--json",
                                                           "--ca", Self.fixtureCA.appendingPathComponent("auth-ca.pem").path,
                                                           "--ca", Self.fixtureCA.appendingPathComponent("sign-ca.pem").path, "--at", "2026-06-01"])
        #expect(trusted.exitCode == 0, "\(trusted.allOutput)")
        #expect(trusted.json?["trust"] as? String == "trusted-ca")
        #expect(((trusted.json?["trustAnchor"] as? [String: Any])?["subject"] as? String)?.contains("JPKI for digital signature") == true)
        #expect(!trusted.allOutput.contains(String(card.holderString("authCommonName").prefix(14))))
        let untrusted = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--cms", "--signature", signature, content.path, "--at", "2026-06-01"])
        #expect(untrusted.exitCode == 6, "\(untrusted.allOutput)")
        #expect(untrusted.stdoutText.contains("the built-in J-LIS CAs"))
        let afterExpiry = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--cms", "--signature", signature, content.path, "--json",
                                                               "--ca", Self.fixtureCA.appendingPathComponent("sign-ca.pem").path, "--at", "2031-01-01"])
        #expect(afterExpiry.exitCode == 6)
        #expect((afterExpiry.json?["trustProblem"] as? String)?.contains("had expired") == true)
    }

    @Test("login-verify proves the マイキーID beside the serial, picks the CA by signature among several, and refuses the J-LIS store for a test card")
    func loginVerifyIdentifiers() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bundle = dir.appendingPathComponent("bundle.json").path
        let login = try card.run(["jpki", "login", "--challenge", "C0FFEE", "-o", bundle, "--pin-env", "P"], environment: ["P": card.pin("auth")])
        #expect(login.exitCode == 0, "\(login.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bundle))) as? [String: Any])
        #expect(object["myKeyID"] as? String == card.holderString("authCommonName"))
        // Both test CAs in one PEM file: the auth CA is picked by its signature.
        let both = dir.appendingPathComponent("both.pem")
        let pems = try ["sign-ca.pem", "auth-ca.pem"].map { try String(contentsOf: Self.fixtureCA.appendingPathComponent($0), encoding: .utf8) }
        try Data(pems.joined().utf8).write(to: both)
        let accepted = try EmulatedCardFixture.runMynacard(["jpki", "login-verify", bundle, "--ca", both.path, "--at", "2026-06-01", "--json"])
        #expect(accepted.exitCode == 0, "\(accepted.allOutput)")
        let id = try #require(accepted.json?["myKeyID"] as? [String: Any])
        #expect(id["commonName"] as? String == card.holderString("authCommonName"))
        #expect(id["terminalCode"] as? String == String(card.holderString("authCommonName").suffix(9)))
        #expect(accepted.json?["serialHex"] as? String == card.holderString("authSerialHex"))
        let text = try EmulatedCardFixture.runMynacard(["jpki", "login-verify", bundle, "--ca", both.path, "--at", "2026-06-01"])
        #expect(text.stdoutText.contains("マイキーID: " + card.holderString("authCommonName")))
        let jlis = try EmulatedCardFixture.runMynacard(["jpki", "login-verify", bundle, "--at", "2026-06-01"])
        #expect(jlis.exitCode == 1)
        #expect(jlis.stdoutText.contains("no trusted CA issued it"))
    }

    @Test("login-verify refuses an edited serial and a bundle signed with the signing key")
    func loginVerifyRefusals() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let login = try card.run(["jpki", "login", "--challenge", "C0FFEE", "--pin-env", "P"], environment: ["P": card.pin("auth")])
        var object = try #require(login.json)
        object["serial"] = "0123ABCD"
        let edited = dir.appendingPathComponent("edited.json")
        try JSONSerialization.data(withJSONObject: object).write(to: edited)
        let authCA = Self.fixtureCA.appendingPathComponent("auth-ca.pem").path
        let refused = try EmulatedCardFixture.runMynacard(["jpki", "login-verify", edited.path, "--ca", authCA, "--at", "2026-06-01", "--json"])
        #expect(refused.exitCode == 1, "\(refused.allOutput)")
        #expect((refused.json?["reason"] as? String)?.contains("serial field (0123ABCD) is not the certificate's serial") == true)

        // The same challenge signed with the signing key, bundled with the signature certificate.
        let challenge = dir.appendingPathComponent("challenge.bin")
        try Data([0xC0, 0xFF, 0xEE]).write(to: challenge)
        let signed = try card.run(["jpki", "sign", "--key", "sign", "--format", "json", challenge.path, "--pin-env", "P"], environment: ["P": card.pin("sign")])
        #expect(signed.exitCode == 0, "\(signed.stderr)")
        let signCertPath = card.profileDirectory.appendingPathComponent("jpki/sign-cert.der").path
        let serial = try EmulatedCardFixture.runProcess(openssl, ["x509", "-inform", "DER", "-in", signCertPath, "-noout", "-serial"])
        object["certificate"] = try Data(contentsOf: URL(fileURLWithPath: signCertPath)).base64EncodedString()
        object["signature"] = signed.json?["signature"]
        object["serial"] = serial.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
        object["myKeyID"] = nil
        let fromSignKey = dir.appendingPathComponent("sign-key.json")
        try JSONSerialization.data(withJSONObject: object).write(to: fromSignKey)
        let wrongKey = try EmulatedCardFixture.runMynacard(["jpki", "login-verify", fromSignKey.path, "--at", "2026-06-01", "--json",
                                                            "--ca", Self.fixtureCA.appendingPathComponent("sign-ca.pem").path, "--ca", authCA])
        #expect(wrongKey.exitCode == 1, "\(wrongKey.allOutput)")
        #expect(wrongKey.json?["accepted"] as? Bool == false)
        #expect((wrongKey.json?["reason"] as? String)?.contains("a login must be signed with the authentication key") == true)
    }
}
