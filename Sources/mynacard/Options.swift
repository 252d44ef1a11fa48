import ArgumentParser
import CardIO

/// Which reader to use, how long to wait for a card, and how long for each of its answers.
struct CardOptions: ParsableArguments {
    @Option(name: .long, help: "Reader to use: its name, a part of it, or its index from `mynacard readers` (default: $MYNACARD_READER, else the first reader with a card).")
    var reader: String?

    @Option(name: .long, help: ArgumentHelp("Wait up to this many seconds for a card to be inserted.", valueName: "seconds"))
    var wait: Double = 0

    @Option(name: .long, help: ArgumentHelp("Give up when the card does not answer one command within this many seconds (a card another program holds is waited for \(Int(PCSCCard.defaultBusyTimeout)) s, or this long if shorter).", valueName: "seconds"))
    var timeout: Double = 60

    func validate() throws {
        guard wait >= 0, wait <= 3600 else { throw ValidationError("--wait takes 0 to 3600 seconds, not \(wait)") }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout takes more than 0 and at most 3600 seconds, not \(timeout)") }
    }
}

/// Machine-readable output.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Write one JSON object (stable schema, see README) instead of text.")
    var json = false
}
