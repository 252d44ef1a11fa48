import ArgumentParser

/// Which reader to use and how long to wait for a card.
struct CardOptions: ParsableArguments {
    @Option(name: .long, help: "Reader to use: its name, a part of it, or its index from `mynacard readers` (default: $MYNACARD_READER, else the first reader with a card).")
    var reader: String?

    @Option(name: .long, help: ArgumentHelp("Wait up to this many seconds for a card to be inserted.", valueName: "seconds"))
    var wait: Double = 0

    func validate() throws {
        guard wait >= 0, wait <= 3600 else { throw ValidationError("--wait takes 0 to 3600 seconds, not \(wait)") }
    }
}

/// Machine-readable output.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Write one JSON object (stable schema, see README) instead of text.")
    var json = false
}
