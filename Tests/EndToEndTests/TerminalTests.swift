import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// mynacard on a terminal: PIN prompts that survive signals, binary data kept off the screen, warnings
/// where a person sees them. Driven through a pseudo-terminal (``TerminalSession``).
@Suite("The terminal at a PIN prompt", .serialized)
struct TerminalTests {
    @Test("a PIN prompt ended by SIGINT, SIGTERM or SIGHUP leaves the terminal echoing again, and no try is spent",
          arguments: [("INT", SIGINT), ("TERM", SIGTERM), ("HUP", SIGHUP)])
    func interruptedPromptRestoresEcho(name: String, number: Int32) throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let session = try TerminalSession.run(["jpki", "login", "--challenge", "00FF", "--reader", card.readerName],
                                              steps: [.expect("authentication PIN"), .echo(false), .type("12"), .signal(name), .ended, .echo(true)])
        #expect(session.failure == nil, "\(session.failure ?? ""): \(session.screen)")
        #expect(session.signal == Int(number), "ended with exit \(session.exitCode.map(String.init) ?? "-"), signal \(session.signal.map(String.init) ?? "-")")
        #expect(try card.triesLeft()["auth"] == 3)
    }

    @Test("SIGTSTP at a PIN prompt gives the terminal back with echo while stopped; after SIGCONT the prompt comes back silent and the PIN works")
    func suspendedPromptRestoresEchoAndResumes() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let session = try TerminalSession.run(
            ["jpki", "login", "--challenge", "00FF", "--reader", card.readerName],
            steps: [.expect("authentication PIN"), .echo(false), .signal("TSTP"), .stopped, .echo(true),
                    .signal("CONT"), .expect("authentication PIN"), .echo(false), .type(card.pin("auth") + "\n"), .expect("\"signature\""), .ended])
        #expect(session.failure == nil, "\(session.failure ?? ""): \(session.screen)")
        #expect(session.exitCode == 0, "\(session.screen)")
        #expect(!session.screen.contains(card.pin("auth")), "the PIN was echoed")
    }

    @Test("raw binary is not written to a terminal: a DER certificate is refused there (exit 5) unless -o - asks for it")
    func binaryNotWrittenToTerminal() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let refused = try TerminalSession.run(["jpki", "cert", "auth", "--format", "der", "--reader", card.readerName], steps: [.ended])
        #expect(refused.exitCode == 5, "\(refused.screen)")
        #expect(refused.screen.contains("standard output is a terminal"), "\(refused.screen)")
        let forced = try TerminalSession.run(["jpki", "cert", "auth", "--format", "der", "-o", "-", "--reader", card.readerName], steps: [.ended])
        #expect(forced.exitCode == 0, "\(forced.screen)")
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let document = dir.appendingPathComponent("note.txt")
        try Data("note".utf8).write(to: document)
        let base64 = try TerminalSession.run(["jpki", "sign", "--key", "auth", "--format", "base64", document.path, "--reader", card.readerName],
                                             steps: [.expect("authentication PIN"), .type(card.pin("auth") + "\n"), .ended])
        #expect(base64.exitCode == 0, "text formats are fine on a terminal: \(base64.screen)")
    }

    @Test("the PIN is asked for while the file is still being read, and nothing is sent to the card until the file has been read")
    func promptDoesNotWaitForHashing() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A FIFO whose writer stays open: reading it to its end waits until the test has typed the PIN.
        let fifo = dir.appendingPathComponent("document").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let signature = dir.appendingPathComponent("document.sig").path
        let session = try TerminalSession.run(
            ["jpki", "sign", "--key", "auth", fifo, "-o", signature, "--reader", card.readerName],
            steps: [.expect("authentication PIN"), .type(card.pin("auth") + "\n"), .feedFIFO(path: fifo, text: "the document\n"), .ended],
            fifos: [fifo])
        #expect(session.failure == nil, "\(session.failure ?? ""): \(session.screen)")
        #expect(session.exitCode == 0, "\(session.screen)")
        let content = dir.appendingPathComponent("same.txt")
        try Data("the document\n".utf8).write(to: content)
        let verify = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--signature", signature, "--cert",
                                                          card.profileDirectory.appendingPathComponent("jpki/auth-cert.der").path, content.path])
        #expect(verify.exitCode == 0, "the signature covers what came through the FIFO: \(verify.allOutput)")
    }

    @Test("--force at the last try warns once more on the terminal before the prompt; typing starts with the warning")
    func forceAtLastTryWarns() throws {
        let card = try EmulatedCardFixture(profile: "last-try")
        defer { card.stop() }
        // The PIN is typed as soon as the warning shows, before the prompt: it is kept, and not echoed.
        let session = try TerminalSession.run(["jpki", "login", "--challenge", "00FF", "--force", "--reader", card.readerName],
                                              steps: [.expect("LAST try"), .type(card.pin("auth") + "\n"),
                                                      .expect("\"signature\""), .ended], timeout: 40)
        #expect(session.failure == nil, "\(session.failure ?? ""): \(session.screen)")
        #expect(session.exitCode == 0, "\(session.screen)")
        #expect(!session.screen.contains(card.pin("auth")), "the PIN was echoed")
        // Without a terminal the warning goes to standard error; the signing password is at its last try too.
        let scripted = try card.run(["pin", "change", "sign", "--force", "--pin-stdin"], input: card.pin("sign") + "\n" + card.pin("sign") + "\n")
        #expect(scripted.exitCode == 0, "\(scripted.stderr)")
        #expect(scripted.stderr.contains("LAST try of the signing password"), "\(scripted.stderr)")
        let again = try card.run(["jpki", "cert", "sign", "--force", "--pin-stdin"], input: card.pin("sign") + "\n")
        #expect(!again.stderr.contains("LAST try"), "after a right PIN the counter is full again: \(again.stderr)")
    }
}
