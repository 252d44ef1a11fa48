import ArgumentParser
import Foundation
import JPKIApplet

/// `mynacard jpki login-verify BUNDLE`: check a login bundle as a relying party would.
struct JPKILoginVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login-verify",
        abstract: "Check a login bundle from `jpki login` (exit 0 accepted, 1 rejected) and show the serial and マイキーID it proves.",
        discussion: """
            Checks the signature over the challenge; that the bundle's serial and マイキーID are the certificate's; \
            that a trusted CA issued the certificate (the J-LIS CAs built into mynacard, or those given with --ca; the \
            issuer is found by signature, since every generation of a J-LIS CA has the same name); that the CA and the \
            certificate are valid at --at (default now); that it is an authentication certificate (a bundle signed with \
            the signing key is refused); and with --challenge that the bundle answers that challenge. Revocation is not \
            checked. No card is needed. The serial number and マイキーID identify the holder: store them as personal data.
            """
    )

    @Argument(help: "The bundle file (JSON); - for standard input.")
    var bundle: String

    @Option(name: .long, help: "The challenge that was sent, hex or base64: the bundle must answer it.")
    var challenge: String?

    @OptionGroup var trust: TrustOptions
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var accepted: Bool
        var reason: String?
        var serialHex: String?
        var serialDecimal: String?
        var myKeyID: MyKeyID?
        var subject: String?
        var issuer: AnchorReport?
        var checkedAt: Date
    }

    func run() throws {
        try Failure.report(json: output.json) {
            let store = try trust.trustStore()
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
            let date = try trust.date()
            let report: Report
            do {
                let proof = try LoginVerifier(trustStore: store).verify(parsed, expectedChallenge: expected, at: date)
                report = Report(accepted: true, serialHex: proof.serialHex, serialDecimal: proof.serialDecimal, myKeyID: proof.myKeyID,
                                subject: proof.subject, issuer: AnchorReport(proof.issuer), checkedAt: date)
            } catch let rejection as LoginRejection {
                report = Report(accepted: false, reason: rejection.description, checkedAt: date)
            }
            if output.json {
                try Output.json(report)
            } else if report.accepted {
                Output.line("accepted: the card holding certificate serial \(report.serialHex ?? "") (decimal \(report.serialDecimal ?? "")) signed the challenge")
                Output.line("マイキーID: " + (report.myKeyID.map { terminalSafe("\($0.commonName) (random string \($0.randomString), 受付端末識別記号 \($0.terminalCode))") }
                    ?? "none: the certificate's common name does not have the マイキーID's shape"))
                Output.line("issued by: \(terminalSafe(report.issuer?.label ?? ""))")
            } else {
                Output.line("REJECTED: \(terminalSafe(report.reason ?? ""))")
            }
            if !report.accepted { throw NegativeResult(description: report.reason ?? "rejected") }
        }
    }
}
