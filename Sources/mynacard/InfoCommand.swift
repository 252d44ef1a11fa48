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

    /// The ATR public sources give for the My Number card (docs/card-facts.md).
    static let myNumberCardATR: [UInt8] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14]

    struct Report: Encodable {
        var reader: String
        var atr: String
        var atrMatchesMyNumberCard: Bool
        var applets: [String: Bool]
        var tokenLabel: String?
    }

    func run() throws {
        try Failure.report(json: output.json) {
            let report = try withCard(card) { transport in
                let session = CardSession(transport: transport)
                var applets: [String: Bool] = [:]
                for applet in CardApplet.allCases { applets[applet.rawValue] = try session.hasApplet(applet.aid) }
                let label = applets[CardApplet.jpki.rawValue] == true ? try JPKISession(transport: transport).tokenLabel() : nil
                return Report(reader: transport.readerName, atr: transport.atr.hexString,
                              atrMatchesMyNumberCard: transport.atr == Self.myNumberCardATR, applets: applets, tokenLabel: label)
            }
            if output.json { return try Output.json(report) }
            Output.line("reader:      \(report.reader)")
            Output.line("ATR:         \(report.atr)" + (report.atrMatchesMyNumberCard ? "  (My Number card)" : "  (not the usual My Number card ATR)"))
            for applet in CardApplet.allCases {
                Output.line("applet:      \(applet.displayName): " + (report.applets[applet.rawValue] == true ? "present" : "absent"))
            }
            if let label = report.tokenLabel { Output.line("token label: \(label)") }
        }
    }
}
