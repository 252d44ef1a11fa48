import ArgumentParser
import CardIO
import CardSession

/// `mynacard pin status`: every PIN's retry counter, read without spending a try.
struct PINStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show how many tries each PIN has left (reading this never uses a try).",
        discussion: """
            Covers the JPKI PINs (auth, sign), the text applet's PIN and its PIN-A and PIN-B (text, text-a, text-b), \
            the card-face PIN-A and PIN-B (face-a, face-b) and the resident-registry PIN (juki).
            """
    )

    @OptionGroup var card: CardOptions
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        struct Entry: Encodable {
            var pin: String
            var applet: String
            var name: String
            var status: String
            var triesLeft: Int?
            var maximumTries: Int
        }
        var pins: [Entry]
    }

    func run() throws {
        try Failure.report(json: output.json) {
            let statuses = try withCard(card) { transport in try CardSession(transport: transport).pinCounters() }
            let report = Report(pins: statuses.map { entry in
                .init(pin: entry.kind.rawValue, applet: entry.kind.applet.rawValue, name: entry.kind.displayName, status: entry.word,
                      triesLeft: entry.status?.triesLeft, maximumTries: entry.kind.maximumTries)
            })
            if output.json { return try Output.json(report) }
            for entry in statuses {
                Output.line("\(entry.kind.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(entry.kind.displayName): "
                            + (entry.status.map { "\($0)" } ?? "cannot be read on this card") + (entry.warning.map { "  ⚠ " + $0 } ?? ""))
            }
        }
    }
}

/// How the CLI words a PIN counter.
extension PINCounter {
    /// `ok`, `last-try`, `blocked`, `verified` or `unknown`.
    var word: String {
        switch status {
        case nil: "unknown"
        case .verified: "verified"
        case .blocked: "blocked"
        case .remaining(let left): left == 1 ? "last-try" : "ok"
        }
    }

    /// What to tell the user when the PIN is blocked or one wrong try away from it.
    var warning: String? {
        switch status {
        case .remaining(1): "one wrong PIN will block it"
        case .blocked: kind.resetAdvice
        default: nil
        }
    }
}
