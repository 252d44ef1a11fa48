import Foundation
import Crypto
import Testing

/// A scratch folder for one test's files.
func scratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mynacard-sign-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// `jpki sign`, `jpki verify` and `--cms` through the real stack, checked with openssl where it matters.
@Suite("Signing files through pcscd", .serialized)
struct SigningTests {
    @Test("a raw auth-key signature verifies with the auth certificate, and not once the file changes")
    func rawSignAndVerify() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("document.txt")
        try Data("an agreement\n".utf8).write(to: file)
        let signature = dir.appendingPathComponent("document.sig").path
        let sign = try card.run(["jpki", "sign", "--key", "auth", "--hash", "sha384", file.path, "-o", signature, "--pin-stdin"],
                                input: card.pin("auth") + "\n")
        #expect(sign.exitCode == 0, "\(sign.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: signature)).count == 256)
        let cert = card.profileDirectory.appendingPathComponent("jpki/auth-cert.der").path
        let good = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--signature", signature, "--hash", "sha384", "--cert", cert, file.path])
        #expect(good.exitCode == 0, "\(good.allOutput)")
        #expect(good.stdoutText.hasPrefix("valid"))
        try Data("an agreement, changed\n".utf8).write(to: file)
        let bad = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--signature", signature, "--hash", "sha384", "--cert", cert, file.path, "--json"])
        #expect(bad.exitCode == 1)
        #expect(bad.json?["valid"] as? Bool == false)
        #expect((bad.json?["reason"] as? String)?.contains("does not match") == true)
    }

    @Test("several files are signed with one PIN entry, each into FILE.sig in --out-dir, and the JSON form names each")
    func batchSigning() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let files = try (1...3).map { index -> String in
            let url = dir.appendingPathComponent("file\(index).bin")
            try Data(repeating: UInt8(index), count: 300_000 * index).write(to: url)
            return url.path
        }
        let sign = try card.run(["jpki", "sign", "--key", "sign", "--format", "base64", "--out-dir", out.path, "--pin-env", "SIGN_PIN"] + files,
                                environment: ["SIGN_PIN": card.pin("sign")])
        #expect(sign.exitCode == 0, "\(sign.stderr)")
        #expect(sign.stderr.contains("signed \(files[2]) (3/3)"))
        let signCert = card.profileDirectory.appendingPathComponent("jpki/sign-cert.der").path
        for path in files {
            let sig = out.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent + ".sig").path
            let verify = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--signature", sig, "--cert", signCert, path])
            #expect(verify.exitCode == 0, "\(path): \(verify.allOutput)")
        }
        let json = try card.run(["jpki", "sign", "--key", "sign", "--format", "json", "--pin-stdin"] + files, input: card.pin("sign") + "\n")
        #expect(json.exitCode == 0, "\(json.stderr)")
        let entries = try #require(json.json?["signatures"] as? [[String: Any]])
        #expect(entries.map { $0["file"] as? String } == files)
        let expectedFingerprint = sha256HexOfFile(signCert)
        for entry in entries {
            #expect(entry["key"] as? String == "sign")
            #expect(entry["hash"] as? String == "sha256")
            #expect(entry["certificateSha256"] as? String == expectedFingerprint)
            #expect(Data(base64Encoded: entry["signature"] as? String ?? "")?.count == 256)
        }
    }

    @Test("a --cms --chain signature passes openssl cms -verify against the CA, and fails for modified content")
    func cmsVerifiesWithOpenSSL() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let content = dir.appendingPathComponent("contract.pdf")
        try Data((0..<2_000_000).map { UInt8(truncatingIfNeeded: $0 / 7) }).write(to: content)
        let signature = dir.appendingPathComponent("contract.p7s").path
        let sign = try card.run(["jpki", "sign", "--key", "sign", "--cms", "--chain", content.path, "-o", signature, "--pin-stdin"],
                                input: card.pin("sign") + "\n")
        #expect(sign.exitCode == 0, "\(sign.stderr)")
        let caFile = card.profileDirectory.appendingPathComponent("jpki/sign-ca.pem").path
        let openssl = URL(fileURLWithPath: "/usr/bin/openssl")
        let arguments = ["cms", "-verify", "-binary", "-content", content.path, "-CAfile", caFile, "-inform", "DER",
                         "-in", signature, "-purpose", "any", "-out", "/dev/null"]
        let verified = try EmulatedCardFixture.runProcess(openssl, arguments)
        #expect(verified.exitCode == 0, "openssl: \(verified.stderr)")
        #expect(verified.stderr.contains("Verification successful"))
        let ours = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--cms", "--signature", signature,
                                                        "--cert", card.profileDirectory.appendingPathComponent("jpki/sign-cert.der").path, content.path])
        #expect(ours.exitCode == 0, "\(ours.allOutput)")
        var changed = try Data(contentsOf: content)
        changed[1_000_000] ^= 0x01
        try changed.write(to: content)
        let rejected = try EmulatedCardFixture.runProcess(openssl, arguments)
        #expect(rejected.exitCode != 0)
        #expect(rejected.stderr.contains("digest failure") || rejected.stderr.contains("Verification failure"), "\(rejected.stderr)")
        let oursRejected = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--cms", "--signature", signature, content.path])
        #expect(oursRejected.exitCode == 1)
        #expect(oursRejected.stdoutText.contains("INVALID"))
    }

    @Test("standard input can be signed, and a file that is not a CMS signature is reported as bad input (exit 5)")
    func stdinAndBadCMS() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sign = try card.run(["jpki", "sign", "--key", "auth", "--format", "base64", "-", "--pin-env", "P"], input: "piped data",
                                environment: ["P": card.pin("auth")])
        #expect(sign.exitCode == 0, "\(sign.stderr)")
        let sig = dir.appendingPathComponent("piped.b64")
        try sign.stdout.write(to: sig)
        let data = dir.appendingPathComponent("piped.txt")
        try Data("piped data".utf8).write(to: data)
        let cert = card.profileDirectory.appendingPathComponent("jpki/auth-cert.der").path
        let verify = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--signature", sig.path, "--cert", cert, data.path])
        #expect(verify.exitCode == 0, "\(verify.allOutput)")
        let notCMS = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--cms", "--signature", sig.path, data.path, "--json"])
        #expect(notCMS.exitCode == 5)
        #expect((notCMS.json?["error"] as? [String: Any])?["kind"] as? String == "input-error")
    }

    @Test("verify --from-card checks a signature against the certificate on the card")
    func verifyFromCard() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("note.txt")
        try Data("note".utf8).write(to: file)
        let sig = dir.appendingPathComponent("note.json").path
        let sign = try card.run(["jpki", "sign", "--key", "auth", "--format", "json", file.path, "-o", sig, "--pin-stdin"], input: card.pin("auth") + "\n")
        #expect(sign.exitCode == 0, "\(sign.stderr)")
        let verify = try card.run(["jpki", "verify", "--signature", sig, "--from-card", "auth", file.path])
        #expect(verify.exitCode == 0, "\(verify.allOutput)")
        let otherKey = try card.run(["jpki", "verify", "--signature", sig, "--from-card", "sign", file.path, "--pin-stdin"], input: card.pin("sign") + "\n")
        #expect(otherKey.exitCode == 1)
    }
}

/// SHA-256 of a file, upper-case hex (as `certificateSha256` shows it).
func sha256HexOfFile(_ path: String) -> String {
    guard let data = FileManager.default.contents(atPath: path) else { return "" }
    return SHA256.hash(data: data).map { String(format: "%02X", $0) }.joined()
}
