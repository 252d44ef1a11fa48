import ArgumentParser
import CardIO
import CounterServer
import Foundation

/// `mynacard counter`: the counter page, served to a browser on this computer.
struct CounterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counter",
        abstract: "Serve the counter page on 127.0.0.1: the card, its photo and whether data and chip are genuine, in a browser.",
        discussion: """
            Starts a web server on 127.0.0.1 only and prints its address; open it in a browser on this computer \
            (nothing is opened for you). The page follows the readers: insert a card and it shows the card's kind, \
            its certificates and every PIN counter; type PIN-B from the card face (birth date, expiry year, security \
            code) or PIN-A (the My Number) to see the photo, the name and address as printed, and the green or red \
            verdict on the card face's data and chip. Pulling the card out clears the page at once. Nothing from the \
            card is written to disk or logged; a PIN with one try left is never sent. Ctrl-C stops the server.
            """
    )

    @Option(name: .long, help: ArgumentHelp("TCP port on 127.0.0.1 (0: any free port).", valueName: "port"))
    var port: Int = 8470

    @Option(name: .long, help: ArgumentHelp("The page's language: ja or en (default: from the locale, LANG).", valueName: "ja|en"))
    var lang: String?

    @Option(name: .long, help: "Reader to follow: its name, a part of it, or its index (default: $MYNACARD_READER, else the first reader with a card).")
    var reader: String?

    @OptionGroup var rootKey: RootKeyOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port takes 0 to 65535, not \(port)") }
        if let lang, PageLanguage(rawValue: lang) == nil { throw ValidationError("--lang takes ja or en, not \(lang)") }
    }

    func run() async throws {
        var configuration: CounterServer.Configuration?
        try Failure.report(json: false) {
            _ = try PCSCContext()  // fail at once, with exit 3, when pcscd is not there
            let language = lang.flatMap { PageLanguage(rawValue: $0) } ?? PageLanguage.fromLocale()
            configuration = CounterServer.Configuration(port: port, language: language, faceRoot: try rootKey.load(),
                                                        reader: reader ?? ProcessInfo.processInfo.environment["MYNACARD_READER"])
        }
        guard let configuration else { return }
        do {
            try await CounterServer.run(configuration) { port in
                Output.line("mynacard counter: open http://127.0.0.1:\(port)/ in a browser on this computer (Ctrl-C stops)")
            }
        } catch {
            try Failure.report(json: false) { throw InputError.invalid("cannot serve the counter page on 127.0.0.1:\(port): \(error)") }
        }
    }
}
