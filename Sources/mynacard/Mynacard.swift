import ArgumentParser

/// `mynacard`: read, check and sign with the Japanese My Number card over PC/SC.
@main
struct Mynacard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mynacard",
        abstract: "Read, check and sign with the My Number card (個人番号カード) through a PC/SC reader.",
        discussion: """
            PINs are never taken as plain arguments: you are asked for them (no echo), or scripts pass them \
            with --pin-stdin, --pin-fd N or --pin-env NAME. A PIN with one try left is not sent without --force.
            Exit codes: 0 done; 1 a check or verification said no; 2 PIN wrong, blocked or refused; \
            3 no PC/SC service, reader or card; 4 the card failed or was removed; 5 bad input file or data; \
            64 wrong command-line usage.
            """,
        version: mynacardVersion,
        subcommands: [
            ReadersCommand.self,
            InfoCommand.self,
            JPKICommand.self,
            PINCommand.self,
            TextCommand.self,
            FaceCommand.self,
            CheckCommand.self,
        ]
    )
}
