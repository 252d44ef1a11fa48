import ArgumentParser
import Foundation
import JPKIApplet

/// `mynacard jpki mykey-id`: the マイキーID in the authentication certificate's subject.
struct JPKIMyKeyIDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mykey-id",
        abstract: "Show the マイキーID: the authentication certificate's common name (14-character random string + 9-character 受付端末識別記号).",
        discussion: """
            The マイキーID identifies the holder for the certificate's whole life, like the serial number (`mynacard jpki \
            serial`): treat it as personal data. It is read from the certificate's subject common name, 23 characters of \
            0-9 and A-Z; a common name of another shape is reported as such (exit 1), never guessed at. The ID a My Key \
            service registered for the holder may differ (the platform issues its own and lets it be changed). \
            No PIN is needed on a card; a smartphone token releases the certificate only after the authentication PIN, read \
            like any PIN (prompt, --pin-stdin, --pin-fd, --pin-env) with the usual guard.
            """
    )

    @OptionGroup var card: CardOptions
    @OptionGroup var pinInput: PINInputOptions
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var commonName: String?
        var matchesExpectedShape: Bool
        var randomString: String?
        var terminalCode: String?
        var reason: String?
    }

    func run() throws {
        try Failure.report(json: output.json) {
            let certificate = try authenticationCertificate(card, pinInput)
            let names = certificate.certificate.subject.commonNames
            let report: Report
            do {
                let id = try MyKeyID(certificate: certificate.certificate)
                report = Report(commonName: id.commonName, matchesExpectedShape: true, randomString: id.randomString, terminalCode: id.terminalCode)
            } catch let error as MyKeyIDError {
                report = Report(commonName: names.count == 1 ? names.first : nil, matchesExpectedShape: false, reason: error.description)
            }
            if output.json {
                try Output.json(report)
            } else if report.matchesExpectedShape {
                Output.line("マイキーID:                \(terminalSafe(report.commonName ?? ""))")
                Output.line("random string (14):       \(terminalSafe(report.randomString ?? ""))")
                Output.line("受付端末識別記号 (9):     \(terminalSafe(report.terminalCode ?? ""))")
            } else {
                Output.line("no マイキーID: \(terminalSafe(report.reason ?? ""))")
            }
            if !report.matchesExpectedShape { throw NegativeResult(description: report.reason ?? "unexpected common name") }
        }
    }
}
