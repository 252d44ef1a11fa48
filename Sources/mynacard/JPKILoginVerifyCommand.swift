import ArgumentParser
import Foundation
import JPKIApplet

/// `mynacard jpki login-verify BUNDLE --ca CA.pem`: check a login bundle as a relying party would.
struct JPKILoginVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login-verify",
        abstract: "Check a login bundle from `jpki login` against a CA certificate (exit 0 accepted, 1 rejected).",
        discussion: """
            Checks the signature over the challenge, that the CA issued the certificate, the certificate's \
            validity period at --at (default now), and with --challenge that the bundle answers that challenge. \
            Revocation is not checked. No card is needed.
            """
    )

    @Argument(help: "The bundle file (JSON); - for standard input.")
    var bundle: String

    @Option(name: .long, help: "The CA certificate (PEM or DER) that must have issued the authentication certificate.")
    var ca: String

    @Option(name: .long, help: "The challenge that was sent, hex or base64: the bundle must answer it.")
    var challenge: String?

    @Option(name: .long, help: ArgumentHelp("Check validity at this time (ISO 8601, e.g. 2027-01-01 or 2027-01-01T00:00:00Z).", valueName: "date"))
    var at: String?

    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var accepted: Bool
        var reason: String?
        var serialHex: String?
        var serialDecimal: String?
        var subject: String?
    }

    func run() throws {
        try Failure.report(json: output.json) {
            let caCertificate = try InputFiles.certificate(ca)
            let data = try InputFiles.bytes(bundle, what: "a login bundle")
            let parsed: LoginBundle
            do { parsed = try JSONDecoder().decode(LoginBundle.self, from: Data(data)) } catch {
                throw InputError.invalid("\(terminalSafe(bundle)) is not a login bundle (JSON from `mynacard jpki login`)"
                    + (InputFiles.describeContent(data).map { ": it looks like \($0)" } ?? ""))
            }
            let expected = try challenge.map { text in
                guard let bytes = decodeHexOrBase64(text) else { throw InputError.invalid("--challenge must be hex or base64") }
                return bytes
            }
            let date = try at.map(Self.parseDate) ?? Date()
            let report: Report
            do {
                let proof = try LoginVerifier(ca: caCertificate).verify(parsed, expectedChallenge: expected, at: date)
                report = Report(accepted: true, serialHex: proof.serialHex, serialDecimal: proof.serialDecimal, subject: proof.subject)
            } catch let rejection as LoginRejection {
                report = Report(accepted: false, reason: rejection.description)
            }
            if output.json {
                try Output.json(report)
            } else if report.accepted {
                Output.line("accepted: the card holding certificate serial \(report.serialHex ?? "") (decimal \(report.serialDecimal ?? "")) signed the challenge")
            } else {
                Output.line("REJECTED: \(terminalSafe(report.reason ?? ""))")
            }
            if !report.accepted { throw NegativeResult(description: report.reason ?? "rejected") }
        }
    }

    static func parseDate(_ text: String) throws -> Date {
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let date = day.date(from: text) { return date }
        throw InputError.invalid("--at takes an ISO 8601 date such as 2027-01-01 or 2027-01-01T09:00:00Z, not \(text)")
    }
}
