import Foundation
import Testing

/// Control characters (C0, DEL, C1) that would steer a terminal.
func hasTerminalControls(_ data: Data) -> Bool {
    String(decoding: data, as: UTF8.self).unicodeScalars.contains { scalar in
        (scalar.value < 0x20 && scalar != "\n") || (0x7F...0x9F).contains(scalar.value)
    }
}

/// Text from a card or a file reaches the terminal with its control characters escaped: a crafted name can
/// neither set the window title, clear the screen nor hide the lines after it.
@Suite("Terminal escapes in card data", .serialized)
struct TerminalEscapeTests {
    @Test("a name on the text applet with terminal controls is shown escaped, and 'NOT genuine' stays visible")
    func craftedNameEscaped() throws {
        let card = try EmulatedCardFixture(insertNow: false)
        defer { card.stop() }
        // The same number of bytes as 番号　太郎, so the offsets stay right; the signature then no longer matches.
        let file = card.profileDirectory.appendingPathComponent("text/0002-basic-info.bin")
        let original = try Data(contentsOf: file)
        let name = Data("番号　太郎".utf8)
        let crafted = Data("\u{1B}[8m\u{1B}]0;pwn\u{07}ABC".utf8)
        #expect(crafted.count == name.count)
        var edited = original
        edited.replaceSubrange(try #require(original.range(of: name)), with: crafted)
        try edited.write(to: file)
        try card.insert()
        for reveal in [true, false] {
            let result = try card.run(["text", "--pin-stdin"] + (reveal ? ["--reveal"] : []), input: card.pin("text") + "\n")
            #expect(result.exitCode == 1, "\(result.allOutput)")
            #expect(!hasTerminalControls(result.stdout), "raw controls on standard output: \(result.stdoutText.debugDescription)")
            #expect(!hasTerminalControls(Data(result.stderr.utf8)), "raw controls on standard error: \(result.stderr.debugDescription)")
            // Masked, only the first character shows: the escape itself.
            #expect(result.stdoutText.contains(reveal ? #"name:         \x1B[8m\x1B]0;pwn\x07ABC"# : #"name:         \x1B＊＊"#), "\(result.stdoutText)")
            #expect(result.stdoutText.contains("data:         NOT genuine"), "\(result.stdoutText)")
        }
        let json = try card.run(["text", "--pin-stdin", "--reveal", "--json"], input: card.pin("text") + "\n")
        #expect(json.json?["name"] as? String == "\u{1B}[8m\u{1B}]0;pwn\u{07}ABC", "JSON carries the name as it is, escaped by JSON")
    }

    @Test("a certificate name with terminal controls is shown escaped by jpki cert and check; an expired CA is not sent to the municipal office")
    func craftedCertificateEscaped() throws {
        let card = try EmulatedCardFixture(insertNow: false)
        defer { card.stop() }
        try Data(try expiredHostileCA()).write(to: card.profileDirectory.appendingPathComponent("jpki/auth-ca.der"))
        try card.insert()
        let cert = try card.run(["jpki", "cert", "auth-ca", "--format", "text"])
        #expect(cert.exitCode == 0, "\(cert.stderr)")
        #expect(!hasTerminalControls(cert.stdout), "\(cert.stdoutText.debugDescription)")
        // (The ";" is escaped by the distinguished name's own syntax, RFC 4514.)
        #expect(cert.stdoutText.contains(#"subject:       CN=TEST CA \x1B]0\;pwned\x07\x1B[2J\x1B[8m,C=JP"#), "\(cert.stdoutText)")
        let check = try card.run(["check"])
        #expect(!hasTerminalControls(check.stdout), "\(check.stdoutText.debugDescription)")
        let checks = try card.run(["check", "--json"]).json?["checks"] as? [[String: Any]] ?? []
        let ca = try #require(checks.first { $0["id"] as? String == "cert-auth-ca" })
        #expect(ca["status"] as? String == "warning")
        #expect((ca["detail"] as? String)?.contains("expired") == true)
        #expect((ca["detail"] as? String)?.contains("municipal office") == false, "\(ca)")
    }
}
