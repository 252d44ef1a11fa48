import Foundation
import Testing

/// Hostile cards (fixtures/hostile, made by fixtures/make-hostile-profiles.py) through pcscd: whatever the
/// card holds or does, the command ends with a clear error, its documented exit code and JSON kind, in
/// bounded time and without writing anything it should not. Every run has a small `--timeout`, so no card
/// can keep it waiting, and is killed after 30 seconds whatever it does (the test then reports it).
@Suite("Hostile cards through pcscd", .serialized)
struct HostileCardTests {
    /// Runs `arguments` (with `--json`) against a card made from `fixtures/hostile/<profile>` and checks that
    /// it failed with `exitCode` and the error `kind`, in a message that mentions `words`.
    private func expectFailure(_ profile: String, _ arguments: [String], exitCode: Int32, kind: String, mentioning words: String,
                               cardTimeout: Int = 5) throws {
        let card = try EmulatedCardFixture(profile: "hostile/" + profile)
        defer { card.stop() }
        let error = try error(try run(card, arguments, cardTimeout: cardTimeout), exitCode: exitCode)
        #expect(error["kind"] as? String == kind)
        #expect((error["message"] as? String)?.contains(words) == true, "\(error)")
    }

    /// Runs `arguments` with `--json` and `--timeout cardTimeout` against `card`, killing it after 30 seconds.
    private func run(_ card: EmulatedCardFixture, _ arguments: [String], input: String? = nil, cardTimeout: Int = 5) throws -> CommandResult {
        try card.run(arguments + ["--timeout", String(cardTimeout), "--json"], input: input, timeout: 30)
    }

    /// The `error` object of a failed command's JSON, after checking it ended on its own with `exitCode`.
    private func error(_ result: CommandResult, exitCode: Int32) throws -> [String: Any] {
        #expect(!result.timedOut, "the command did not end on its own")
        #expect(result.exitCode == exitCode, "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains(".swift:"), "\(result.stderr)")
        let json = try #require(result.json, "no JSON on standard output: \(result.stdoutText)")
        #expect(json["ok"] as? Bool == false)
        return try #require(json["error"] as? [String: Any])
    }

    @Test("a certificate header claiming 0xFFFF bytes is malformed card data, read no further")
    func certificateLengthFFFF() throws {
        try expectFailure("cert-length-ffff", ["jpki", "cert", "auth"], exitCode: 4, kind: "card-data-malformed", mentioning: "65539")
    }

    @Test("a TLV length of 2^32−1 in a certificate and in the basic info file is malformed card data")
    func tlvLength4G() throws {
        let card = try EmulatedCardFixture(profile: "hostile/tlv-length-4g")
        defer { card.stop() }
        for (arguments, input) in [(["jpki", "cert", "auth-ca"], nil), (["text", "--pin-stdin"], card.pin("text") + "\n")] {
            let result = try run(card, arguments, input: input)
            let error = try error(result, exitCode: 4)
            #expect(error["kind"] as? String == "card-data-malformed", "\(arguments)")
            #expect((error["message"] as? String)?.contains("TLV length") == true, "\(error)")
        }
    }

    @Test("DF21 offsets past the file's end make the text and card-face files malformed")
    func offsetsOutOfRange() throws {
        let card = try EmulatedCardFixture(profile: "hostile/df21-out-of-range")
        defer { card.stop() }
        let text = try error(try run(card, ["text", "--pin-stdin"], input: card.pin("text") + "\n"), exitCode: 4)
        #expect(text["kind"] as? String == "card-data-malformed")
        #expect((text["message"] as? String)?.contains("DF21 offset (FFFF) past its end") == true, "\(text)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-face-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let face = try error(try run(card, ["face", "--pin-b", "--pin-stdin", "-o", folder.path], input: card.pin("pinB") + "\n"), exitCode: 4)
        #expect(face["kind"] as? String == "card-data-malformed")
        #expect((face["message"] as? String)?.contains("card-face file (EF 0002) has a DF21 offset") == true, "\(face)")
    }

    /// Runs `face --pin-b -o FOLDER` (and `extra`) against a card made from `fixtures/hostile/<profile>`, with a
    /// new folder that is removed afterwards, and hands `inspect` the result and the folder.
    private func face(_ profile: String, _ extra: [String] = [], _ inspect: (CommandResult, URL) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-face-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let card = try EmulatedCardFixture(profile: "hostile/" + profile)
        defer { card.stop() }
        try inspect(try run(card, ["face", "--pin-b", "--pin-stdin", "-o", folder.path] + extra, input: card.pin("pinB") + "\n"), folder)
    }

    @Test("a signed photo declaring 60000 × 60000 pixels is refused from its header, and nothing is written")
    func photoBombSigned() throws {
        let root = EmulatedCardFixture.packageRoot.appendingPathComponent("fixtures/ca/face-root.pem").path
        try face("photo-60000", ["--root", root]) { result, folder in
            let error = try error(result, exitCode: 4)
            #expect(error["kind"] as? String == "image-decode-failed")
            #expect((error["message"] as? String)?.contains("60000 × 60000") == true, "\(error)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("photo.png").path))
        }
    }

    @Test("a photo whose card-face signature fails is kept as stored but never decoded")
    func photoBombUnsigned() throws {
        try face("photo-60000-unsigned") { result, folder in
            #expect(!result.timedOut)
            #expect(result.exitCode == 1, "\(result.stderr)")
            let json = try #require(result.json)
            #expect((json["authenticity"] as? [String: Any])?["result"] as? String == "not-genuine")
            #expect(json["photoNotDecoded"] as? String == "the card face is not genuine")
            let files = try #require(json["files"] as? [String: String])
            #expect(files["photoPNG"] == nil)
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("photo.jp2").path))
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("photo.png").path))
        }
    }

    @Test("a card announcing more data (61 xx) for ever is cut off with a card error")
    func endlessMoreData() throws {
        try expectFailure("endless-61xx", ["jpki", "cert", "auth"], exitCode: 4, kind: "card-io-error", mentioning: "61 xx")
    }

    @Test("a card that stops answering ends the command at --timeout with card-timeout")
    func silentCard() throws {
        try expectFailure("silent-card", ["jpki", "cert", "auth"], exitCode: 4, kind: "card-timeout",
                          mentioning: "stopped answering: the command gave up at its 2-second limit (--timeout)", cardTimeout: 2)
    }

    @Test("a card another program holds is waited for no longer than a --timeout shorter than 10 s, then card-in-use")
    func busyCardWithShortTimeout() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let other = try OtherProgram(reader: card.readerName)
        other.beginTransaction()
        defer { other.endTransaction() }
        let result = try card.run(["pin", "status", "--timeout", "2", "--json"], timeout: 30)
        let error = try error(result, exitCode: 3)
        #expect(error["kind"] as? String == "card-in-use")
        #expect(result.stderr.contains("another program is using the card in reader \"\(card.readerName)\"; waiting up to 2 s"), "\(result.stderr)")
    }

    @Test("every command that talks to a card takes --timeout, 60 seconds unless given",
          arguments: [["info"], ["check"], ["pin", "status"], ["pin", "change", "auth"], ["jpki", "cert", "auth"], ["jpki", "serial"],
                      ["jpki", "sign", "x"], ["jpki", "verify", "--signature", "s", "x"], ["jpki", "login", "--challenge", "00"],
                      ["jpki", "mykey-id"], ["pdf", "sign", "x"], ["xml", "sign", "x"], ["text"], ["face"]])
    func timeoutOnEveryCardCommand(command: [String]) throws {
        let result = try EmulatedCardFixture.runMynacard(command + ["--help"])
        #expect(result.stdoutText.contains("--timeout <seconds>"), "\(command)")
        #expect(result.stdoutText.contains("(default: 60"), "\(command)")
    }
}
