import ArgumentParser
import CProcessControl

/// `mynacard`: read, check and sign with the Japanese My Number card over PC/SC.
@main
struct Mynacard: AsyncParsableCommand {
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
            PDFCommand.self,
            XMLCommand.self,
            PINCommand.self,
            TextCommand.self,
            FaceCommand.self,
            CheckCommand.self,
            WatchCommand.self,
            CounterCommand.self,
        ]
    )

    /// Sets the process up before anything else runs (see ``ProcessSetup``), then parses and runs the command
    /// (`counter` runs asynchronously: its server).
    static func main() async {
        ProcessSetup.start()
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            Failure.end(afterParsingOrRunning: error, arguments: arguments)
        }
    }
}

/// What the process does first, before any PIN can be read.
enum ProcessSetup {
    /// Turns core dumps off and makes the process undumpable, so no PIN lands in a core file or can be read
    /// by another process of the user; then takes the `--pin-env` PIN out of the environment
    /// (``EnvironmentPIN``).
    static func start() {
        _ = myna_disable_core_dumps()
        EnvironmentPIN.take(from: CommandLine.arguments)
    }
}
