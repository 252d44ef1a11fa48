import ArgumentParser
import CardSession
import JPKIApplet

/// `mynacard pin status`: every PIN's retry counter, read without spending a try.
struct PINStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show how many tries each PIN has left (reading this never uses a try)."
    )

    @OptionGroup var card: CardOptions
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        struct Entry: Encodable {
            var pin: String
            var name: String
            var status: String
            var triesLeft: Int?
            var maximumTries: Int
        }
        var pins: [Entry]
    }

    func run() throws {
        try Failure.report(json: output.json) {
            let statuses = try withCard(card) { transport in
                let jpki = try JPKISession(transport: transport)
                return try JPKIFiles.pins.map { ($0, try jpki.pinStatus($0)) }
            }
            let report = Report(pins: statuses.map { kind, status in
                let word = switch status {
                case .verified: "verified"
                case .blocked: "blocked"
                case .remaining(let left): left == 1 ? "last-try" : "ok"
                }
                return .init(pin: kind.rawValue, name: kind.displayName, status: word, triesLeft: status.triesLeft, maximumTries: kind.maximumTries)
            })
            if output.json { return try Output.json(report) }
            for (kind, status) in statuses {
                var line = "\(kind.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(kind.displayName): \(status)"
                if status == .remaining(1) { line += "  ⚠ one wrong PIN will block it" }
                if status == .blocked { line += "  ⚠ " + kind.resetAdvice }
                Output.line(line)
            }
        }
    }
}
