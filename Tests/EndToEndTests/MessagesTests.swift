import Crypto
import Foundation
import Testing
import X509
#if canImport(Glibc)
import Glibc
#endif

/// Words in Swift's or its libraries' internals that a message must never show.
let internals = ["SwiftASN1", "ASN1.swift", "NSCocoaErrorDomain", "Error Domain=", "Foundation.", "CryptoKitError"]

/// Messages say what happened in plain words, and say it once.
@Suite("Messages", .serialized)
struct MessagesTests {
    @Test("a CMS, a certificate or junk given as a signature says what it looks like, without library internals")
    func signatureFilesDescribed() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let document = try writeFile("doc", named: "doc.txt", in: dir)
        let cms = dir.appendingPathComponent("doc.p7s").path
        #expect(try card.run(["jpki", "sign", "--key", "auth", "--cms", document, "-o", cms, "--pin-stdin"], input: card.pin("auth") + "\n").exitCode == 0)
        let cert = card.profileDirectory.appendingPathComponent("jpki/auth-cert.der").path
        let pem = card.profileDirectory.appendingPathComponent("jpki/auth-ca.pem").path
        let junk = dir.appendingPathComponent("junk.bin").path
        try Data((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }).write(to: URL(fileURLWithPath: junk))
        let derJunk = dir.appendingPathComponent("junk.der").path
        try Data([0x30, 0x03, 0x02, 0x01, 0x05]).write(to: URL(fileURLWithPath: derJunk))
        let cases: [([String], String)] = [
            (["jpki", "verify", "--signature", cms, "--cert", cert, document], "it looks like a CMS (PKCS#7) signature; check it with --cms"),
            (["jpki", "verify", "--signature", pem, "--cert", cert, document], "it looks like a PEM file holding CERTIFICATE"),
            (["jpki", "verify", "--cms", "--signature", junk, document], "is not a usable CMS signature: it is not DER-encoded ASN.1"),
            (["jpki", "verify", "--cms", "--signature", derJunk, document], "is not a usable CMS signature"),
            (["jpki", "verify", "--cms", "--signature", pem, document], "it looks like a PEM file"),
        ]
        for (arguments, message) in cases {
            let result = try EmulatedCardFixture.runMynacard(arguments + ["--json"])
            #expect(result.exitCode == 5, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            for word in internals { #expect(!result.allOutput.contains(word), "\(arguments): \(result.allOutput)") }
        }
    }

    @Test("a file that may not be read is 'permission denied', not 'does not exist'")
    func permissionDeniedSaysSo() throws {
        try EmulatedCardFixture.requirePCSCService()
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(chmod(dir.path, 0o755) == 0)
        let secret = try writeFile("-----BEGIN PUBLIC KEY-----\n", named: "root.pem", in: dir)
        #expect(chmod(secret, 0o600) == 0)
        // As nobody, for whom the root-owned 0600 file is closed.
        let result = try EmulatedCardFixture.runProcess(URL(fileURLWithPath: "/usr/bin/setpriv"),
            ["--reuid=65534", "--regid=65534", "--clear-groups", EmulatedCardFixture.binDirectory.appendingPathComponent("mynacard").path,
             "text", "--root", secret])
        #expect(result.exitCode == 5)
        #expect(result.stderr.contains("cannot read \(secret): permission denied"), "\(result.stderr)")
        for word in internals + ["exist"] { #expect(!result.stderr.contains(word), "\(result.stderr)") }
    }

    @Test("check --text after a wrong text PIN shows the counter after that try")
    func checkShowsCounterAfterTheTry() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let result = try card.run(["check", "--text", "--pin-stdin", "--json"], input: "9999\n")
        let checks = result.json?["checks"] as? [[String: Any]] ?? []
        let text = checks.first { $0["id"] as? String == "pin-text" }?["detail"] as? String ?? ""
        #expect(text.contains("2 tries left"), "\(text)")
        #expect((checks.first { $0["id"] as? String == "text-data" }?["detail"] as? String)?.contains("2 tries remain") == true)
    }

    @Test("a blocked PIN says BLOCKED once, with where to reset it")
    func blockedOnce() throws {
        let card = try EmulatedCardFixture(profile: "blocked-pin")
        defer { card.stop() }
        let result = try card.run(["pin", "status"])
        let line = try #require(result.stdoutText.split(separator: "\n").first { $0.hasPrefix("auth") })
        #expect(line.components(separatedBy: "BLOCKED").count == 2, "\(line)")
        #expect(line.contains("municipal office counter"))
    }

    @Test("pin change offers only the PINs it can change, in its help and in shell completions")
    func pinChangeOffersWhatItAccepts() throws {
        let help = try EmulatedCardFixture.runMynacard(["pin", "change", "--help"])
        #expect(help.stdoutText.contains("auth|sign|text"), "\(help.stdoutText)")
        #expect(!help.stdoutText.contains("face-a") && !help.stdoutText.contains("face-b"), "\(help.stdoutText)")
        for shell in ["bash", "zsh", "fish"] {
            let completion = try EmulatedCardFixture.runMynacard(["--generate-completion-script", shell])
            #expect(completion.exitCode == 0)
            #expect(!completion.stdoutText.contains("face-a"), "\(shell) completions offer face-a")
        }
    }

    @Test("jpki cert shows a CA certificate's serial number (it is not personal) and keeps the holder's out")
    func caSerialShown() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let ca = try card.run(["jpki", "cert", "auth-ca", "--format", "text"])
        #expect(ca.stdoutText.range(of: #"serial number: [0-9A-F]+\n"#, options: .regularExpression) != nil, "\(ca.stdoutText)")
        #expect(!ca.stdoutText.contains("identifies the holder"))
        let holder = try card.run(["jpki", "cert", "auth", "--format", "json"])
        #expect((holder.json?["serialHex"] as? String)?.allSatisfy { $0 == "*" } == true)
        let signCA = try card.run(["jpki", "cert", "sign-ca", "--format", "json"])
        #expect((signCA.json?["serialHex"] as? String)?.allSatisfy(\.isHexDigit) == true)
    }
}

/// A self-signed CA certificate valid in 2000 only, whose name carries terminal control sequences.
func expiredHostileCA() throws -> [UInt8] {
    let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
    let name = try DistinguishedName {
        CountryName("JP")
        CommonName("TEST CA \u{1B}]0;pwned\u{07}\u{1B}[2J\u{1B}[8m")
    }
    let certificate = try Certificate(
        version: .v3, serialNumber: Certificate.SerialNumber(bytes: [0x0A, 0xBC]), publicKey: key.publicKey,
        notValidBefore: Date(timeIntervalSince1970: 946_684_800), notValidAfter: Date(timeIntervalSince1970: 978_307_199),
        issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
        extensions: try Certificate.Extensions { Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0)) },
        issuerPrivateKey: key)
    return try certificate.serializeAsPEM().derBytes
}
