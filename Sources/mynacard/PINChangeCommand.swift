import ArgumentParser
import CardSession
import JPKIApplet

extension PINKind: ExpressibleByArgument {}

/// `mynacard pin change auth|sign`: change a JPKI PIN.
struct PINChangeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "change",
        abstract: "Change the authentication PIN (auth) or the signing password (sign).",
        discussion: """
            Asks for the current PIN, then the new one twice. With --pin-stdin or --pin-fd, reads two lines: \
            the current PIN, then the new one. The current PIN is checked with the usual guard: with one try \
            left it is not sent without --force.
            """
    )

    @Argument(help: "Which PIN: auth or sign.")
    var which: PINKind

    @OptionGroup var card: CardOptions
    @OptionGroup var pinInput: PINInputOptions
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var ok = true
        var pin: String
        var changed = true
    }

    func validate() throws {
        guard JPKIFiles.pinFile(for: which) != nil else { throw ValidationError("only the JPKI PINs can be changed: auth or sign") }
        if pinInput.pinEnv != nil { throw ValidationError("changing a PIN needs two PINs: use --pin-stdin or --pin-fd, or a terminal") }
    }

    func run() throws {
        try Failure.report(json: output.json) {
            let reader = pinInput.makeReader()
            let current = try reader.read(prompt: "current \(which.displayName): ")
            let new = try reader.read(prompt: "new \(which.displayName) (\(which.format)): ")
            if reader.isInteractive {
                let again = try reader.read(prompt: "new \(which.displayName) again: ")
                guard new.matches(again) else { throw PINInputError.mismatch }
            }
            try withCard(card) { transport in
                try JPKISession(transport: transport).changePIN(which, current: current, new: new, force: pinInput.force)
            }
            if output.json { return try Output.json(Report(pin: which.rawValue)) }
            Output.line("the \(which.displayName) was changed")
        }
    }
}
