import APDU
import ArgumentParser
import CardIO

/// `mynacard readers`: the PC/SC readers and whether a card is in each.
struct ReadersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readers",
        abstract: "List card readers and the cards in them."
    )

    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        struct Reader: Encodable {
            var index: Int
            var name: String
            var cardPresent: Bool
            var atr: String?
            var inUseByAnotherProgram: Bool
        }
        var readers: [Reader]
    }

    func run() throws {
        try Failure.report(json: output.json) {
            let readers = try PCSCContext().readers()
            let report = Report(readers: readers.enumerated().map { index, reader in
                .init(index: index, name: reader.name, cardPresent: reader.hasCard, atr: reader.atr?.hexString,
                      inUseByAnotherProgram: reader.isExclusivelyInUse)
            })
            if output.json { return try Output.json(report) }
            if readers.isEmpty { return Output.line("no readers found") }
            for reader in report.readers {
                let card = reader.cardPresent ? "card present, ATR \(reader.atr ?? "")" : "no card"
                Output.line("\(reader.index)  \(terminalSafe(reader.name))  (\(card))")
            }
        }
    }
}
