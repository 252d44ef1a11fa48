import ArgumentParser
import CardSession
import Foundation
import JPKIApplet
import X509

/// `mynacard jpki verify`: check a signature made by `jpki sign`.
struct JPKIVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a signature made by `mynacard jpki sign` (exit 0 valid, 1 invalid).",
        discussion: """
            With --cert no card is needed. --from-card reads the certificate from the card (the signature \
            certificate needs the signing password). With --cms and neither, the certificate inside the CMS \
            is used: that proves the data is unchanged, not who signed it. Signature files may be raw, \
            base64 or the JSON of `jpki sign --format json`. The certificate's chain and revocation are not checked.
            """
    )

    @Option(name: .long, help: "The signature file.")
    var signature: String

    @Flag(name: .long, help: "The signature is a detached CMS SignedData.")
    var cms = false

    @Option(name: .long, help: "The signer's certificate (PEM or DER).")
    var cert: String?

    @Option(name: .long, help: ArgumentHelp("Read the signer's certificate from the card: auth or sign.", valueName: "key"))
    var fromCard: JPKIKey?

    @Option(name: .long, help: "Hash of a bare signature: sha256, sha384 or sha512 (default: from a JSON signature file, else sha256).")
    var hash: JPKIHashAlgorithm?

    @Argument(help: "The signed file; - for standard input.")
    var file: String

    @OptionGroup var card: CardOptions
    @OptionGroup var pinInput: PINInputOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if cert != nil && fromCard != nil { throw ValidationError("give --cert or --from-card, not both") }
        if !cms && cert == nil && fromCard == nil { throw ValidationError("a bare signature needs the signer's certificate: --cert FILE or --from-card auth|sign") }
        if file == "-" && pinInput.pinStdin { throw ValidationError("standard input cannot carry both the data and the PIN") }
    }

    struct Report: Encodable {
        var valid: Bool
        var reason: String?
        var format: String
        var hash: String
        var file: String
        var signer: String?
        var signingTime: Date?
        var certificateSource: String
    }

    func run() throws {
        try Failure.report(json: outputOptions.json) {
            let (signatureBytes, fileHash) = try InputFiles.signature(signature)
            var certificate = try cert.map(InputFiles.certificate)
            var source = cert.map { "file \($0)" } ?? "card"
            if let key = fromCard {
                let pinReader = pinInput.makeReader()
                certificate = try withCard(card) { transport in
                    try JPKISession(transport: transport).certificate(key.certificate, force: pinInput.force) { pin in
                        try pinReader.read(prompt: "\(pin.displayName): ")
                    }.certificate
                }
            }
            let report: Report
            if cms {
                let document = try DetachedCMSSignature(derEncoded: signatureBytes)
                if certificate == nil { certificate = document.embeddedSignerCertificate; source = "embedded in the signature (not trust-checked)" }
                let digest = try hashFile(with: document.hash)
                let verdict: SignatureVerdict = certificate.map { document.verify(contentDigest: digest, signer: $0) }
                    ?? .invalid("the signature carries no certificate for its signer; give --cert")
                report = Report(valid: verdict.isValid, reason: reason(verdict), format: "cms", hash: document.hash.rawValue, file: file,
                                signer: certificate?.subject.description, signingTime: document.signingTime, certificateSource: source)
            } else {
                let algorithm = hash ?? fileHash ?? .sha256
                let digest = try hashFile(with: algorithm)
                guard let certificate else { throw ValidationError("a bare signature needs the signer's certificate: --cert FILE or --from-card auth|sign") }
                let verdict = RawSignature.verify(signature: signatureBytes, contentDigest: digest, certificate: certificate)
                report = Report(valid: verdict.isValid, reason: reason(verdict), format: "pkcs1", hash: algorithm.rawValue, file: file,
                                signer: certificate.subject.description, signingTime: nil, certificateSource: source)
            }
            if outputOptions.json {
                try Output.json(report)
            } else if report.valid {
                Output.line("valid: \(file) is signed by \(report.signer ?? "?") (\(report.format), \(report.hash); certificate from \(report.certificateSource))")
                if let time = report.signingTime { Output.line("signed at: \(ISO8601DateFormatter().string(from: time))") }
            } else {
                Output.line("INVALID: \(report.reason ?? "")")
            }
            if !report.valid { throw NegativeResult(description: report.reason ?? "invalid signature") }
        }
    }

    private func reason(_ verdict: SignatureVerdict) -> String? {
        if case .invalid(let why) = verdict { return why }
        return nil
    }

    private func hashFile(with algorithm: JPKIHashAlgorithm) throws -> ComputedDigest {
        let handle = try InputFiles.handle(file)
        defer { if file != "-" { try? handle.close() } }
        do { return try algorithm.hash(reading: handle) } catch { throw InputError.cannotRead(path: file, reason: error.localizedDescription) }
    }
}
