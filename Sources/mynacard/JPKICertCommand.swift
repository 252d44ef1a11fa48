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
            The text and JSON forms of the holder's certificates leave out the serial number, a linkable \
            identifier: use `mynacard jpki serial`. A new file is readable only by you (0600), except for the CA \
            certificates, which are public.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case pem, der, text, json
    }

    @Argument(help: "Which certificate: auth, auth-ca, sign or sign-ca.")
    var which: JPKICertificateKind

    @Option(name: .long, help: "Output format: pem, der, text or json.")
    var format: Format = .pem

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output (- for standard output, also for DER on a terminal).")
    var output: String?

    @OptionGroup var card: CardOptions
    @OptionGroup var pinInput: PINInputOptions

    @Flag(name: .long, help: "Same as --format json.")
    var json = false

    func run() throws {
        let format = json ? .json : format
        try Failure.report(json: format == .json) {
            // The CA certificates are public; the holder's identify a person.
            let destination = try OutputFile.prepare(output, privacy: [.authenticationCA, .signingCA].contains(which) ? .shareable : .personal,
                                                     binary: format == .der)
            let pinReader = pinInput.makeReader()
            let certificate = try withCard(card) { transport in
                let jpki = try JPKISession(transport: transport)
                if let pin = which.requiredPIN {
                    try jpki.verify(pin, force: pinInput.force) { try pinReader.read(pin, force: pinInput.force, on: transport) }
                }
                return try jpki.certificate(which)
            }
            switch format {
            case .der: try destination.write(certificate.der)
            case .pem: try destination.write(Array(certificate.pem.utf8))
            case .text: try destination.write(Array(CertificateSummary(certificate).text.utf8))
            case .json: try destination.write(try Output.jsonBytes(CertificateSummary(certificate)))
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
    /// The serial number of a CA certificate (upper-case hex); never the holder's, which identifies a person.
    var serialNumber: String?

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
        let isCA = certificate.kind == .authenticationCA || certificate.kind == .signingCA
        serialNumber = isCA ? certificate.serialHex : nil
    }

    var text: String {
        """
        certificate:   \(certificate)
        subject:       \(terminalSafe(subject))
        issuer:        \(terminalSafe(issuer))
        valid from:    \(notValidBefore)
        valid until:   \(notValidAfter)
        public key:    \(publicKey)
        signature:     \(signatureAlgorithm)
        SHA-256:       \(sha256Fingerprint)
        serial number: \(serialNumber ?? "(not shown; it identifies the holder: use `mynacard jpki serial`)")

        """
    }
}
