import APDU
import ArgumentParser
import CardIO
import CardSession
import JPKIApplet

/// `mynacard info`: is this a My Number card, and which applets answer.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the reader, the card's ATR, which applets answer, and the JPKI token label."
    )

    @OptionGroup var card: CardOptions
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var reader: String
        var atr: String
        var atrMatchesMyNumberCard: Bool
        /// `contact` (the My Number card's own ATR), `contactless` (made by an NFC reader) or `other`.
        var atrKind: String
        var applets: [String: Bool]
        var tokenLabel: String?
    }

    func run() throws {
        try Failure.report(json: output.json) {
            let (report, atr) = try withCard(card) { transport in
                let session = CardSession(transport: transport)
                var applets: [String: Bool] = [:]
                for applet in CardApplet.allCases { applets[applet.rawValue] = try session.hasApplet(applet.aid) }
                let label = applets[CardApplet.jpki.rawValue] == true ? try JPKISession(transport: transport).tokenLabel() : nil
                let atr = CardATR(transport.atr)
                let report = Report(reader: transport.readerName, atr: transport.atr.hexString, atrMatchesMyNumberCard: atr == .myNumberContact,
                                    atrKind: atr == .myNumberContact ? "contact" : atr == .contactless ? "contactless" : "other",
                                    applets: applets, tokenLabel: label)
                return (report, atr)
            }
            if output.json { return try Output.json(report) }
            Output.line("reader:      \(terminalSafe(report.reader))")
            Output.line("ATR:         \(report.atr)  (\(atr.note))")
            for applet in CardApplet.allCases {
                Output.line("applet:      \(applet.displayName): " + (report.applets[applet.rawValue] == true ? "present" : "absent"))
            }
            if let label = report.tokenLabel { Output.line("token label: \(terminalSafe(label))") }
        }
    }
}
