import ArgumentParser
import CardIO
import CardSession
import JPKIApplet

/// `mynacard pin status`: every PIN's retry counter, read without spending a try.
struct PINStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show how many tries each PIN has left (reading this never uses a try).",
        discussion: """
            Covers the JPKI PINs (auth, sign), the text applet's PIN and its PIN-A and PIN-B (text, text-a, text-b), \
            the card-face PIN-A and PIN-B (face-a, face-b) and the resident-registry PIN (juki).
            """
    )

    @OptionGroup var card: CardOptions
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        struct Entry: Encodable {
            var pin: String
            var applet: String
            var name: String
            var status: String
            var triesLeft: Int?
            var maximumTries: Int
        }
        var pins: [Entry]
        /// Present when the card looks issued without PINs (顔認証マイナンバーカード): what that means.
        var note: String?
    }

    func run() throws {
        try Failure.report(json: output.json) {
            let (statuses, signatureIssued) = try withCard(card) { session in
                try session.operation {
                    let counters = try session.pinCounters()
                    return (counters, try Self.signatureCertificateIssued(session, counters))
                }
            }
            let withoutPINs = IssuedWithoutPINs(counters: statuses, signatureCertificateIssued: signatureIssued)
            let notIssued = { (entry: PINCounter) in entry.kind == .jpkiSigning && !signatureIssued && entry.status == nil }
            let report = Report(pins: statuses.map { entry in
                .init(pin: entry.kind.rawValue, applet: entry.kind.applet.rawValue, name: entry.kind.displayName,
                      status: notIssued(entry) ? "not-issued" : entry.statusCode, triesLeft: entry.status?.triesLeft, maximumTries: entry.kind.maximumTries)
            }, note: withoutPINs.explanation)
            if output.json { return try Output.json(report) }
            for entry in statuses {
                let state = notIssued(entry) ? "not issued with this card (it has no signature certificate)"
                    : entry.status.map { "\($0)" } ?? "cannot be read on this card"
                Output.line("\(entry.kind.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(entry.kind.displayName): "
                            + state + (entry.warning.map { "  ⚠ " + $0 } ?? ""))
            }
            if let note = report.note { Output.line("\nnote: " + note) }
        }
    }

    /// Whether the card has a signature certificate, read (EF 0008, three more APDUs) only when the counters
    /// leave it open: the signing password did not answer, or the user-set PINs all look unusable.
    private static func signatureCertificateIssued(_ session: CardSession, _ counters: [PINCounter]) throws -> Bool {
        let unusable: [PINStatus?] = [nil, .blocked, .notSet]
        let signMissing = counters.contains { $0.kind == .jpkiSigning && $0.status == nil }
        let authUnusable = counters.contains { $0.kind == .jpkiAuthentication && unusable.contains($0.status) }
        guard signMissing || authUnusable else { return true }
        do { return try JPKISession(session: session).certificateAvailability().isIssued(.signing) } catch is CardSessionError { return true }
    }
}

/// How the CLI words a PIN counter.
extension PINCounter {
    /// What to tell the user when the PIN is blocked or one wrong try away from it.
    var warning: String? {
        switch status {
        case .remaining(1): "one wrong PIN will block it"
        case .blocked: kind.resetAdvice
        default: nil
        }
    }
}
