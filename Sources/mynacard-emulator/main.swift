import ArgumentParser
import CardEmulator
import Foundation

/// `mynacard-emulator`: an emulated My Number card in vsmartcard's virtual reader, for testing without a card.
struct EmulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mynacard-emulator",
        abstract: "Insert an emulated My Number card into the virtual reader (vpcd) of a running pcscd.",
        discussion: """
            The card's contents come from a profile directory (see fixtures/README.md). The card stays \
            in the reader until this program ends (Ctrl-C pulls it out).
            """
    )

    @Option(name: .long, help: "Profile directory holding profile.json.")
    var profile: String = "fixtures/profiles/healthy"

    @Option(name: .long, help: "JSON file keeping PIN counters across runs (a blocked card stays blocked).")
    var state: String?

    @Option(name: .long, help: "vpcd host.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "vpcd port (35963 is vpcd's default reader).")
    var port: UInt16 = 35963

    @Option(name: .long, help: "Seconds to keep trying to reach vpcd.")
    var connectTimeout: Double = 10

    @Option(name: .long, help: "Pull the card out after answering this many APDUs (to test removal).")
    var pullAfter: Int?

    @Flag(name: .long, help: "Re-insert the card whenever vpcd drops the link, until killed.")
    var stay = false

    @Flag(name: .long, help: "Trace APDUs to standard error (PIN data is never shown).")
    var trace = false

    func run() throws {
        // A parent may have spawned us with termination signals blocked (Foundation's Process passes its
        // thread's mask on); unblock them, so that SIGTERM and Ctrl-C pull the card out.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        sigprocmask(SIG_UNBLOCK, &signals, nil)
        let card: EmulatedCard
        do {
            let loaded = try CardProfile.load(from: URL(fileURLWithPath: profile))
            let store = try state.map { try CardStateStore(url: URL(fileURLWithPath: $0)) }
            card = EmulatedCard(profile: loaded, store: store)
        } catch {
            throw ValidationError("\(error)")
        }
        repeat {
            let link = try VirtualReaderLink(card: card, host: host, port: port, timeout: connectTimeout)
            if trace { link.trace = { FileHandle.standardError.write(Data(("APDU " + $0 + "\n").utf8)) } }
            say("card inserted: profile \(card.profileName), vpcd \(host):\(port)")
            let ending = try link.serve(pullAfterCommands: pullAfter)
            say(ending == .cardPulled ? "card pulled out after \(pullAfter ?? 0) APDU(s)" : "virtual reader closed the link")
            if ending == .cardPulled { return }
        } while stay
    }
}

/// Writes a line to standard output at once (the output is often a pipe read by a test).
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

EmulatorCommand.main()
