import APDU
import ArgumentParser
import CardIO
import CardSession
import JPKIApplet

/// `mynacard info`: is this a My Number card, and which applets answer.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the reader, the card's ATR, which applets answer, the JPKI token label, and what card this is."
    )

    @OptionGroup var card: CardOptions
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var reader: String
        var atr: String
        /// Whether the ATR is one real My Number cards are known to present (contact or contactless).
        var atrMatchesMyNumberCard: Bool
        /// `contact`, `contactless` (made by an NFC reader) or `other`.
        var atrKind: String
        /// Which card the ATR is known for: `my-number-card`, `resident-registry-card` or `unknown`.
        var atrCard: String
        var applets: [String: Bool]
        var tokenLabel: String?
        /// What the applets say this card is (``CardDiagnosis/code``), and in words.
        var card: String
        var cardSummary: String
    }

    func run() throws {
        try Failure.report(json: output.json) {
            let (report, atr) = try withCard(card) { session in try session.operation {
                let transport = session.transport
                var present: Set<CardApplet> = []
                for applet in CardApplet.allCases where try session.hasApplet(applet.aid) { present.insert(applet) }
                let label = present.contains(.jpki) ? try JPKISession(session: session).tokenLabel() : nil
                let diagnosis = CardDiagnosis(applets: present, token: label.map(JPKITokenKind.init(label:)))
                let atr = CardATR(transport.atr)
                let report = Report(reader: transport.readerName, atr: transport.atr.hexString, atrMatchesMyNumberCard: atr.isKnownMyNumberCard,
                                    atrKind: atr.interface.rawValue, atrCard: atr.card.rawValue,
                                    applets: Dictionary(uniqueKeysWithValues: CardApplet.allCases.map { ($0.rawValue, present.contains($0)) }),
                                    tokenLabel: label, card: diagnosis.code, cardSummary: diagnosis.summary)
                return (report, atr)
            } }
            if output.json { return try Output.json(report) }
            Output.line("reader:      \(terminalSafe(report.reader))")
            Output.line("ATR:         \(report.atr)  (\(atr.note))")
            for applet in CardApplet.allCases {
                Output.line("applet:      \(applet.displayName): " + (report.applets[applet.rawValue] == true ? "present" : "absent"))
            }
            if let label = report.tokenLabel { Output.line("token label: \(terminalSafe(label))") }
            Output.line("card:        \(report.cardSummary)")
        }
    }
}
