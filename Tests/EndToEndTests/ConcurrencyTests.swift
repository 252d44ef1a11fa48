import CPCSCLite
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

private let textRoot = EmulatedCardFixture.packageRoot.appendingPathComponent("fixtures/ca/text-root.pem").path
private let faceRoot = EmulatedCardFixture.packageRoot.appendingPathComponent("fixtures/ca/face-root.pem").path

/// Two programs, one card: mynacard shares the card with other programs — other mynacards, OpenSC, anything
/// speaking PC/SC — holding it only while it talks to it, taking it up again after another program reset it,
/// and leaving no verified PIN behind.
@Suite("Two programs, one card", .serialized)
struct ConcurrencyTests {
    /// The mixed commands of the parallel loops: reads, PIN counters, and every kind of PIN (from the environment).
    func mixedCommands(_ card: EmulatedCardFixture, in folder: URL, loop: Int) throws -> [(name: String, arguments: [String])] {
        let document = try writeFile("loop \(loop)\n", named: "document-\(loop).txt", in: folder)
        let faceFolder = folder.appendingPathComponent("face-\(loop)").path
        return [
            ("pin status", ["pin", "status", "--json"]),
            ("info", ["info", "--json"]),
            ("jpki cert auth", ["jpki", "cert", "auth", "--format", "pem"]),
            ("jpki sign", ["jpki", "sign", "--key", "auth", "--format", "base64", "--pin-env", "AUTH_PIN", document]),
            ("jpki login", ["jpki", "login", "--challenge", "00FF", "--pin-env", "AUTH_PIN"]),
            ("check", ["check", "--json"]),
            ("text", ["text", "--pin-env", "TEXT_PIN", "--root", textRoot, "--json"]),
            ("jpki cert sign", ["jpki", "cert", "sign", "--format", "json", "--pin-env", "SIGN_PW"]),
            ("readers", ["readers", "--json"]),
            ("face", ["face", "--pin-b", "--pin-env", "PIN_B", "--root", faceRoot, "-o", faceFolder, "--json"]),
        ]
    }

    func environment(_ card: EmulatedCardFixture) -> [String: String] {
        ["AUTH_PIN": card.pin("auth"), "TEXT_PIN": card.pin("text"), "SIGN_PW": card.pin("sign"), "PIN_B": card.pin("pinB")]
    }

    /// Runs `count` of the mixed commands one after another, starting at `offset`; returns every failure.
    func loop(_ card: EmulatedCardFixture, count: Int, offset: Int, folder: URL) throws -> [String] {
        let commands = try mixedCommands(card, in: folder, loop: offset)
        var failures: [String] = []
        for index in 0..<count {
            let (name, arguments) = commands[(index + offset) % commands.count]
            // `readers` takes no --reader.
            let result = try card.run(arguments, environment: environment(card), selectReader: arguments.first != "readers", timeout: 90)
            if result.exitCode != 0 || result.timedOut {
                failures.append("\(name): exit \(result.exitCode)\(result.timedOut ? " (timed out)" : ""): \(result.stderr)")
            }
        }
        return failures
    }

    /// Runs `body` on a thread of its own; `wait()` returns its result.
    final class Background<T>: @unchecked Sendable {
        private var result: Result<T, any Error>?
        private let done = DispatchSemaphore(value: 0)
        init(_ body: @escaping @Sendable () throws -> T) {
            Thread { [self] in
                result = Result { try body() }
                done.signal()
            }.start()
        }
        func wait() throws -> T {
            done.wait()
            done.signal()
            guard let result else { throw FixtureError("the background work left no result") }
            return try result.get()
        }
    }

    @Test("two loops of 100 mixed commands in parallel through pcscd: not one fails, and no PIN try is lost")
    func twoParallelLoops() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let folder = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let second = Background { try self.loop(card, count: 100, offset: 1, folder: folder) }
        let failures = try loop(card, count: 100, offset: 0, folder: folder) + second.wait()
        #expect(failures.isEmpty, "\(failures.count) of 200 commands failed: \(failures.prefix(5))")
        let tries = try card.triesLeft()
        #expect(tries["auth"] == 3 && tries["sign"] == 5 && tries["text"] == 3 && tries["face-b"] == 10, "\(tries)")
    }

    @Test("a program that resets the card again and again does not make mynacard fail: it takes the card up again")
    func anotherProgramResets() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let folder = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let resetter = try OtherProgram(reader: card.readerName)
        nonisolated(unsafe) var running = true
        nonisolated(unsafe) var resets = 0
        let resetting = Background {
            while running {
                resetter.useThenReset()
                resets += 1
                // Free for 50 ms between two 30 ms holds: a busy program, not one that starves the others
                // (pcsc-lite polls a locked card every 100 ms, and a 2 ms gap let a loaded machine miss it).
                usleep(50_000)
            }
        }
        let failures = try loop(card, count: 40, offset: 0, folder: folder)
        running = false
        try resetting.wait()
        #expect(resets > 20, "the other program reset the card only \(resets) times")
        #expect(failures.isEmpty, "\(failures.count) of 40 commands failed: \(failures.prefix(5))")
        #expect(try card.triesLeft()["auth"] == 3)
    }

    @Test("no verified PIN outlives a command: what the PIN guards is refused to the next program, and the card was not reset",
          arguments: [
              ("jpki cert sign", ["jpki", "cert", "sign", "--format", "json", "--pin-env", "SIGN_PW"],
               // EF 0001 (the signature certificate) needs the signing password.
               [[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x01]], [0x00, 0xB0, 0x00, 0x00, 0x08], "jpki"),
              ("jpki sign", ["jpki", "sign", "--key", "auth", "--format", "base64", "--pin-env", "AUTH_PIN", "/etc/hostname"],
               // COMPUTE DIGITAL SIGNATURE with the authentication key (EF 0017) needs the authentication PIN.
               [[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x17]],
               [0x80, 0x2A, 0x00, 0x80, 0x33, 0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
                0x05, 0x00, 0x04, 0x20] + [UInt8](repeating: 0, count: 32) + [0x00], "jpki"),
              ("text", ["text", "--pin-env", "TEXT_PIN", "--root", textRoot, "--json"],
               // The text applet's EF 0001 (My Number) needs the text PIN.
               [[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x01]], [0x00, 0xB0, 0x00, 0x00, 0x11], "text"),
              ("face", ["face", "--pin-b", "--pin-env", "PIN_B", "--root", faceRoot, "--json"],
               // The card face (EF 0002) needs PIN-A or PIN-B.
               [[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x02]], [0x00, 0xB0, 0x00, 0x00, 0x08], "face"),
          ] as [(String, [String], [[UInt8]], [UInt8], String)])
    func noVerifiedStateOutlivesACommand(name: String, arguments: [String], select: [[UInt8]], guarded: [UInt8], applet: String) throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let folder = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let other = try OtherProgram(reader: card.readerName)
        #expect(other.connectionState() == MYNA_SCARD_S_SUCCESS)
        let outputs = arguments.first == "face" ? ["-o", folder.appendingPathComponent("face").path] : []
        let result = try card.run(arguments + outputs, environment: environment(card))
        #expect(result.exitCode == 0, "\(name): \(result.stderr)")
        // The other program's connection saw no reset: mynacard left the card as it was.
        #expect(other.connectionState() == MYNA_SCARD_S_SUCCESS, "\(name) reset the card")
        // The PIN's applet is still the current one (the file is found without selecting it), and what its PIN
        // guards is refused: the command logged the PIN out by selecting the applet again.
        for command in select { #expect(other.statusWord(command) == "9000", "\(name): \(applet) is not the current applet") }
        #expect(other.statusWord(guarded) == "6982", "\(name) left its PIN verified")
    }

    @Test("while mynacard waits at a PIN prompt the card is free: pin status, info --wait and OpenSC's pkcs15-tool run at once")
    func promptHoldsNoTransaction() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let mynacard = EmulatedCardFixture.binDirectory.appendingPathComponent("mynacard").path
        let session = try TerminalSession.run(
            ["jpki", "login", "--challenge", "00FF", "--reader", card.readerName],
            steps: [.expect("authentication PIN"), .echo(false),
                    .run([mynacard, "pin", "status", "--json", "--reader", card.readerName]),
                    .run([mynacard, "info", "--wait", "3", "--json", "--reader", card.readerName]),
                    .run([OpenSCInteropTests.pkcs15Tool.path, "--reader", "0", "--list-certificates"]),
                    .type(card.pin("auth") + "\n"), .expect("\"signature\""), .ended])
        #expect(session.failure == nil, "\(session.failure ?? ""): \(session.screen)")
        #expect(session.exitCode == 0, "\(session.screen)")
        #expect(session.runs.count == 3)
        for run in session.runs {
            #expect(!run.timedOut && run.exitCode == 0, "\(run.arguments.dropFirst().prefix(2)) while mynacard waited at the prompt: \(run.stderr)")
            #expect(!run.stderr.contains("waiting up to"), "\(run.stderr)")
        }
        #expect(session.runs.first?.stdout.contains("\"triesLeft\" : 3") == true)
    }

    @Test("a card held by another program: mynacard waits a bounded time, says so, then fails with card-in-use (exit 3)")
    func busyCard() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let other = try OtherProgram(reader: card.readerName)
        other.beginTransaction()
        let refused = try card.run(["pin", "status", "--json"], timeout: 60)
        other.endTransaction()
        #expect(refused.exitCode == 3, "\(refused.stderr)")
        #expect((refused.json?["error"] as? [String: Any])?["kind"] as? String == "card-in-use", "\(refused.stdoutText)")
        #expect(refused.stderr.contains("another program is using the card in reader \"\(card.readerName)\"; waiting up to 10 s"), "\(refused.stderr)")
        // A program that lets go within the time: mynacard waits for it, then does its work.
        other.beginTransaction()
        let letGo = Background {
            sleep(2)
            other.endTransaction()
        }
        let waited = try card.run(["pin", "status", "--json"], timeout: 60)
        try letGo.wait()
        #expect(waited.exitCode == 0, "\(waited.stderr)")
        #expect(waited.stderr.contains("waiting up to 10 s"), "\(waited.stderr)")
    }

    @Test("a card taken out and another put in while the PIN is typed: nothing is sent to the new card (card-removed, exit 4)",
          arguments: [false, true])
    func cardSwappedAtPrompt(resetAfterwards: Bool) throws {
        let first = try EmulatedCardFixture()
        var stopped = false
        defer { if !stopped { first.stop() } }
        let folder = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let atPrompt = folder.appendingPathComponent("at-prompt").path, goAhead = folder.appendingPathComponent("go-ahead").path
        let pin = first.pin("auth")
        let session = Background {
            try TerminalSession.run(["jpki", "login", "--challenge", "00FF", "--reader", first.readerName],
                                    steps: [.expect("authentication PIN"), .createFile(atPrompt), .awaitFile(goAhead),
                                            .type(pin + "\n"), .ended], timeout: 60)
        }
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: atPrompt) && Date() < deadline { usleep(50_000) }
        first.stop()
        stopped = true
        // A card of another holder: the last-try profile, whose auth PIN a wrong try would block.
        let second = try EmulatedCardFixture(profile: "last-try")
        defer { second.stop() }
        if resetAfterwards {
            // Another program resets the new card: pcsc-lite then reports a reset, not a removal, to mynacard's
            // connection — the insertion count still tells the cards apart.
            try OtherProgram(reader: second.readerName).resetCard()
        }
        FileManager.default.createFile(atPath: goAhead, contents: nil)
        let result = try session.wait()
        #expect(result.failure == nil, "\(result.failure ?? ""): \(result.screen)")
        #expect(result.exitCode == 4, "\(result.screen)")
        #expect(result.screen.contains("the card was removed"), "\(result.screen)")
        #expect(try second.triesLeft()["auth"] == 1)
    }
}

/// The fixture is used from the parallel loops' threads: it only starts processes and reads what does not change.
extension EmulatedCardFixture: @unchecked Sendable {}
