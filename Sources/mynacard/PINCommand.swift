import ArgumentParser

/// `mynacard pin …`: the card's PINs.
struct PINCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "PIN retry counters and PIN changes.",
        subcommands: [PINStatusCommand.self, PINChangeCommand.self]
    )
}
