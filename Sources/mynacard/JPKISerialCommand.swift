import ArgumentParser
import Foundation
import JPKIApplet

/// `mynacard jpki serial`: the authentication certificate's serial number.
struct JPKISerialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serial",
        abstract: "Show the authentication certificate's serial number, issuer and validity.",
        discussion: """
            The serial number is what マイナポータル and other JPKI login services link an account to. It \
            identifies the holder until the certificate is renewed: treat it as personal data. No PIN is needed on a \
            card; a smartphone token releases the certificate only after the authentication PIN, read like any PIN \
            (prompt, --pin-stdin, --pin-fd, --pin-env) with the usual guard.
            """
    )

    @OptionGroup var card: CardOptions
    @OptionGroup var pinInput: PINInputOptions
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var serialDecimal: String
        var serialHex: String
        var issuer: String
        var notValidBefore: Date
        var notValidAfter: Date
    }

    func run() throws {
        try Failure.report(json: output.json) {
            let certificate = try authenticationCertificate(card, pinInput)
            let report = Report(serialDecimal: certificate.serialDecimal, serialHex: certificate.serialHex,
                                issuer: certificate.certificate.issuer.description,
                                notValidBefore: certificate.certificate.notValidBefore, notValidAfter: certificate.certificate.notValidAfter)
            if output.json { return try Output.json(report) }
            let dates = ISO8601DateFormatter()
            Output.line("serial (decimal): \(report.serialDecimal)")
            Output.line("serial (hex):     \(report.serialHex)")
            Output.line("issuer:           \(terminalSafe(report.issuer))")
            Output.line("valid from:       \(dates.string(from: report.notValidBefore))")
            Output.line("valid until:      \(dates.string(from: report.notValidAfter))")
        }
    }
}

/// The authentication certificate, as `jpki serial` and `jpki mykey-id` read it: free on a card; on a smartphone
/// token, after the authentication PIN from `pinInput`, with the guard.
func authenticationCertificate(_ card: CardOptions, _ pinInput: PINInputOptions) throws -> JPKICertificate {
    let entry = pinInput.makeReader().entry(force: pinInput.force)
    return try withCard(card) { session in
        try JPKISession.certificate(.authentication, on: session, force: pinInput.force, entry: entry)
    }
}
