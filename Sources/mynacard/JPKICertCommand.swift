import APDU
import ArgumentParser
import CardSession
import Foundation
import JPKIApplet
import X509

extension JPKICertificateKind: ExpressibleByArgument {}

/// `mynacard jpki cert auth|auth-ca|sign|sign-ca`: dump a certificate.
struct JPKICertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Write one of the JPKI certificates (auth, auth-ca, sign, sign-ca).",
        discussion: """
            auth, auth-ca and sign-ca are free to read. sign (the signature certificate) carries the holder's \
            name, address, birth date and sex, and the card releases it only after the signing password. \
            The text and JSON forms leave out the serial number, a linkable identifier: use `mynacard jpki serial`.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case pem, der, text, json
    }

    @Argument(help: "Which certificate: auth, auth-ca, sign or sign-ca.")
    var which: JPKICertificateKind

    @Option(name: .long, help: "Output format: pem, der, text or json.")
    var format: Format = .pem

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    @OptionGroup var card: CardOptions
    @OptionGroup var pinInput: PINInputOptions

    @Flag(name: .long, help: "Same as --format json.")
    var json = false

    func run() throws {
        let format = json ? .json : format
        try Failure.report(json: format == .json) {
            let pinReader = pinInput.makeReader()
            let certificate = try withCard(card) { transport in
                // The PIN is asked only when the card wants one (the signature certificate; a smartphone's authentication one).
                try JPKISession(transport: transport).certificate(which, force: pinInput.force) { pin in
                    try pinReader.read(prompt: "\(pin.displayName): ")
                }
            }
            switch format {
            case .der: try Output.write(certificate.der, to: output)
            case .pem: try Output.write(Array(certificate.pem.utf8), to: output)
            case .text: try Output.write(Array(CertificateSummary(certificate).text.utf8), to: output)
            case .json: try Output.write(try Output.jsonBytes(CertificateSummary(certificate)), to: output)
            }
        }
    }
}

/// What the text and JSON forms of a certificate show: no serial number (see `jpki serial`).
struct CertificateSummary: Encodable {
    var certificate: String
    var subject: String
    var issuer: String
    var notValidBefore: String
    var notValidAfter: String
    var publicKey: String
    var signatureAlgorithm: String
    var sha256Fingerprint: String
    var der: String

    init(_ certificate: JPKICertificate) {
        let parsed = certificate.certificate
        let dates = ISO8601DateFormatter()
        self.certificate = certificate.kind.rawValue
        subject = parsed.subject.description
        issuer = parsed.issuer.description
        notValidBefore = dates.string(from: parsed.notValidBefore)
        notValidAfter = dates.string(from: parsed.notValidAfter)
        publicKey = certificate.publicKeySummary
        signatureAlgorithm = "\(parsed.signatureAlgorithm)".replacingOccurrences(of: "SignatureAlgorithm.", with: "")
        sha256Fingerprint = sha256Hex(certificate.der)
        der = Data(certificate.der).base64EncodedString()
    }

    var text: String {
        """
        certificate:   \(certificate)
        subject:       \(subject)
        issuer:        \(issuer)
        valid from:    \(notValidBefore)
        valid until:   \(notValidAfter)
        public key:    \(publicKey)
        signature:     \(signatureAlgorithm)
        SHA-256:       \(sha256Fingerprint)
        serial number: (not shown; it identifies the holder: use `mynacard jpki serial`)

        """
    }
}
