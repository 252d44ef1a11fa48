import ArgumentParser
import CardSession
import Foundation
import JPKIApplet
import X509

/// `mynacard jpki verify`: check a signature made by `jpki sign`.
struct JPKIVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a signature made by `mynacard jpki sign` (exit 0 valid, 1 invalid, 6 untrusted).",
        discussion: """
            With --cert no card is needed. --from-card reads the certificate from the card (the signature \
            certificate needs the signing password). With --cms and neither, the certificate inside the CMS is \
            used, and it must chain to a trusted CA: the J-LIS CAs built into mynacard, or those given with --ca. \
            A signature that matches a certificate no trusted CA issued is reported UNTRUSTED (exit 6), never valid. \
            A certificate given with --cert or --from-card is trusted because you chose it, unless --ca is also given. \
            The CA's and the certificate's validity are checked at --at (default now). Signature files may be raw, \
            base64 or the JSON of `jpki sign --format json`. Revocation is not checked.
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

    @Flag(name: .long, help: "Show the signer's common name (for an authentication certificate, its マイキーID) instead of masking it.")
    var reveal = false

    @Argument(help: "The signed file; - for standard input.")
    var file: String

    @OptionGroup var trust: TrustOptions
    @OptionGroup var card: CardOptions
    @OptionGroup var pinInput: PINInputOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if cert != nil && fromCard != nil { throw ValidationError("give --cert or --from-card, not both") }
        if !cms && cert == nil && fromCard == nil { throw ValidationError("a bare signature needs the signer's certificate: --cert FILE or --from-card auth|sign") }
        if file == "-" && pinInput.pinStdin { throw ValidationError("standard input cannot carry both the data and the PIN") }
    }

    /// How the signer's certificate came to be trusted, for scripts.
    enum Trust: String, Encodable {
        /// A trusted CA (built-in J-LIS or --ca) issued it, and both were valid at the date checked.
        case trustedCA = "trusted-ca"
        /// The user named it with --cert or --from-card (and gave no --ca).
        case givenCertificate = "given-certificate"
        /// The signature matches it, but nothing vouches for it.
        case untrusted
        /// The signature does not match, so trust was not looked at.
        case notChecked = "not-checked"
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
        var signatureMatches: Bool
        var trust: Trust
        var trustAnchor: AnchorReport?
        var trustProblem: String?
        var checkedAt: Date
    }

    func run() throws {
        try Failure.report(json: outputOptions.json) {
            // Every file is read or opened before the card is used and any PIN asked for.
            let (signatureBytes, fileHash) = try InputFiles.signature(signature)
            if !cms { try InputFiles.checkBareSignature(signatureBytes, path: signature) }
            let cmsDocument = cms ? try InputFiles.cmsSignature(signatureBytes, path: signature) : nil
            let signed = try InputFiles.open(file)
            defer { signed.close() }
            let store = try trust.trustStore()
            let date = try trust.date()
            var certificate = try cert.map(InputFiles.certificate)
            var source = cert.map { "the file \($0)" } ?? "the card"
            if let key = fromCard {
                let pinReader = pinInput.makeReader()
                certificate = try withCard(card) { session in
                    try JPKISession.certificate(key.certificate, on: session, force: pinInput.force,
                                                entry: pinReader.entry(force: pinInput.force)).certificate
                }
            }
            let given = certificate != nil
            let verdict: SignatureVerdict
            let format: String
            let algorithm: JPKIHashAlgorithm
            var signingTime: Date?
            if let document = cmsDocument {
                if certificate == nil { certificate = document.embeddedSignerCertificate; source = "the signature itself" }
                let digest = try hash(signed, with: document.hash)
                verdict = certificate.map { document.verify(contentDigest: digest, signer: $0) }
                    ?? .invalid("the signature carries no certificate for its signer; give --cert")
                (format, algorithm, signingTime) = ("cms", document.hash, document.signingTime)
            } else {
                algorithm = hash ?? fileHash ?? .sha256
                let digest = try hash(signed, with: algorithm)
                guard let certificate else { throw ValidationError("a bare signature needs the signer's certificate: --cert FILE or --from-card auth|sign") }
                verdict = RawSignature.verify(signature: signatureBytes, contentDigest: digest, certificate: certificate)
                format = "pkcs1"
            }
            var report = Report(valid: false, format: format, hash: algorithm.rawValue, file: file,
                                signer: certificate.map(signerText), signingTime: signingTime, certificateSource: source,
                                signatureMatches: verdict.isValid, trust: .notChecked, checkedAt: date)
            decideTrust(&report, verdict: verdict, certificate: certificate, givenCertificate: given, store: store, date: date)
            try output(report)
        }
    }

    /// Fills in validity and trust: a matching signature is valid when a trusted CA issued its certificate, or
    /// when the user named the certificate (and gave no --ca); otherwise it is untrusted.
    private func decideTrust(_ report: inout Report, verdict: SignatureVerdict, certificate: Certificate?, givenCertificate: Bool,
                             store: TrustStore, date: Date) {
        guard case .valid = verdict, let certificate else {
            if case .invalid(let why) = verdict { report.reason = why }
            return
        }
        if let problem = certificate.keyUsageProblem(for: .documentSigning) {
            report.reason = "the certificate may not make signatures: \(problem)"
            return
        }
        switch store.issuer(of: certificate, for: .documentSigning, at: date) {
        case .success(let anchor):
            (report.valid, report.trust, report.trustAnchor) = (true, .trustedCA, AnchorReport(anchor))
        case .failure(let failure) where givenCertificate && !trust.givenCAs:
            (report.valid, report.trust, report.trustProblem) = (true, .givenCertificate, failure.description)
        case .failure(let failure):
            report.trust = .untrusted
            report.trustProblem = failure.description
            report.reason = "the signature matches a certificate that is not trusted: \(failure) "
                + "(trusted: \(trust.givenCAs ? "the CAs given with --ca" : "the built-in J-LIS CAs"))"
        }
    }

    private func output(_ report: Report) throws {
        if outputOptions.json {
            try Output.json(report)
        } else if report.valid {
            let trustText = switch report.trust {
            case .trustedCA: "issued by \(report.trustAnchor?.label ?? "a trusted CA")"
            default: "trusted because you gave it; it does not chain to a trusted CA: \(report.trustProblem ?? "")"
            }
            Output.line(terminalSafe("valid: \(file) is signed by \(report.signer ?? "?") (\(report.format), \(report.hash); "
                                     + "certificate from \(report.certificateSource), \(trustText))"))
            if let time = report.signingTime { Output.line("signed at: \(ISO8601DateFormatter().string(from: time))") }
        } else if report.trust == .untrusted {
            Output.line("UNTRUSTED: \(terminalSafe(report.reason ?? ""))")
            Output.line("Trust it only if you know whose it is: give its CA certificate with --ca, or the certificate itself with --cert.")
        } else {
            Output.line("INVALID: \(terminalSafe(report.reason ?? ""))")
        }
        if report.trust == .untrusted { throw UntrustedResult(description: report.reason ?? "untrusted certificate") }
        if !report.valid { throw NegativeResult(description: report.reason ?? "invalid signature") }
    }

    /// The signer's subject, with common names masked unless --reveal.
    private func signerText(_ certificate: Certificate) -> String {
        reveal ? certificate.subject.description : certificate.subject.description(maskingCommonNames: MyKeyID.mask)
    }

    private func hash(_ signed: InputFile, with algorithm: JPKIHashAlgorithm) throws -> ComputedDigest {
        do { return try algorithm.hash(reading: signed.handle) } catch {
            throw InputError.cannotRead(path: terminalSafe(file), reason: Failure.plainDescription(of: error))
        }
    }
}
