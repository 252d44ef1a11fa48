import ArgumentParser
import CardSession
import JPKIApplet
import KenmenAP

extension PINKind: ExpressibleByArgument {}

/// `mynacard pin change auth|sign|text`: change a JPKI PIN or the text applet PIN.
struct PINChangeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "change",
        abstract: "Change the authentication PIN (auth), the signing password (sign) or the text applet PIN (text).",
        discussion: """
            Asks for the current PIN, then the new one twice. With --pin-stdin or --pin-fd, reads two lines: \
            the current PIN, then the new one. The current PIN is checked with the usual guard: with one try \
            left it is not sent without --force. The auth and text PINs are separate on the card even when \
            they were set to the same value at issuance: changing one leaves the other as it was. A signing password \
            may be typed in lower case (it is upper-cased); a new one must contain at least one letter and one digit, \
            and one that does not is refused before anything is sent.
            """
    )

    // Parsed here rather than as any PINKind, so that help and completions offer only what can be changed.
    @Argument(help: ArgumentHelp("Which PIN: auth, sign or text.", valueName: "auth|sign|text"),
              completion: .list(PINChangeCommand.changeable.map(\.rawValue)),
              transform: { text in
                  guard let kind = PINKind(rawValue: text), PINChangeCommand.changeable.contains(kind) else {
                      throw ValidationError("only these PINs can be changed: auth, sign or text")
                  }
                  return kind
              })
    var which: PINKind

    @OptionGroup var card: CardOptions
    @OptionGroup var pinInput: PINInputOptions
    @OptionGroup var output: OutputOptions

    /// The PINs the card lets a holder change.
    static let changeable: [PINKind] = [.jpkiAuthentication, .jpkiSigning, .textInputAssist]

    struct Report: Encodable {
        var ok = true
        var pin: String
        var changed = true
    }

    func validate() throws {
        guard Self.changeable.contains(which) else {
            throw ValidationError("only these PINs can be changed here: auth, sign or text"
                                  + (which == .residentRegistry ? " (the resident-registry PIN is changed at the municipal office counter)" : ""))
        }
        if pinInput.pinEnv != nil { throw ValidationError("changing a PIN needs two PINs: use --pin-stdin or --pin-fd, or a terminal") }
    }

    func run() throws {
        try Failure.report(json: output.json) {
            let reader = pinInput.makeReader()
            let new = {
                let rule = which == .jpkiSigning ? ", at least one letter and one digit" : ""
                let new = try reader.read(prompt: "new \(which.displayName) (\(which.format)\(rule)): ")
                if reader.isInteractive {
                    let again = try reader.read(prompt: "new \(which.displayName) again: ")
                    guard new.matches(again) else { throw PINInputError.mismatch }
                }
                return new
            }
            try withCard(card) { session in
                // The PINs are typed with the card free; it is taken again for VERIFY and CHANGE REFERENCE DATA.
                try session.changePIN(which, force: pinInput.force,
                                      entry: reader.entry(force: pinInput.force, prompt: "current \(which.displayName): "), new: new)
            }
            if output.json { return try Output.json(Report(pin: which.rawValue)) }
            Output.line("the \(which.displayName) was changed")
        }
    }
}
