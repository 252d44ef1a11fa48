import APDU
import ArgumentParser
import CardSession
import Foundation
import JPKIApplet
import KenmenAP
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
            The text and JSON forms of the holder's certificates (auth, sign) mask the two identifiers that link \
            the holder across services: the subject's common name (the マイキーID: its 14-character random string \
            becomes ************** and the 9-character 受付端末識別記号 stays) and the serial number (every digit \
            becomes *). --reveal shows them; `mynacard jpki serial` and `mynacard jpki mykey-id` show one each. \
            The JSON form then leaves out the DER (it holds both in the clear). PEM and DER are the certificate itself. \
            A new file is readable only by you (0600), except for the CA certificates, which are public. \
            For sign the text and JSON forms also decode the name, address, birth date and sex from the certificate, \
            masked like `mynacard text` unless --reveal. --format ssh prints the key as an OpenSSH public key line.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case pem, der, text, json, ssh
    }

    @Argument(help: "Which certificate: auth, auth-ca, sign or sign-ca.")
    var which: JPKICertificateKind

    @Option(name: .long, help: "Output format: pem, der, text, json or ssh (an OpenSSH public key line).")
    var format: Format = .pem

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output (- for standard output, also for DER on a terminal).")
    var output: String?

    @Flag(name: .long, help: "Show the holder's common name (マイキーID), serial number and, for sign, name, address, birth date and sex in the text and JSON forms instead of masking them.")
    var reveal = false

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
            let certificate = try withCard(card) { session in
                // The PIN is asked only when the card wants one (the signature certificate; a smartphone's authentication one).
                try JPKISession.certificate(which, on: session, force: pinInput.force, entry: pinReader.entry(force: pinInput.force))
            }
            switch format {
            case .der: try destination.write(certificate.der)
            case .pem: try destination.write(Array(certificate.pem.utf8))
            case .text: try destination.write(Array(CertificateSummary(certificate, reveal: reveal).text.utf8))
            case .json: try destination.write(try Output.jsonBytes(CertificateSummary(certificate, reveal: reveal)))
            case .ssh:
                let line = try OpenSSHPublicKey.line(for: certificate.certificate.publicKey, comment: "mynacard-jpki-\(which.rawValue)")
                try destination.write(Array((line + "\n").utf8))
            }
        }
    }
}

/// What the text and JSON forms of a certificate show. For the holder's certificates (auth, sign) the subject's
/// common names and the serial number are masked unless revealed, and the DER (which holds both) is left out;
/// a CA certificate's are not personal.
struct CertificateSummary: Encodable {
    var certificate: String
    var subject: String
    var issuer: String
    var notValidBefore: String
    var notValidAfter: String
    var publicKey: String
    var signatureAlgorithm: String
    var sha256Fingerprint: String
    var serialHex: String
    var revealed: Bool
    var der: String?
    /// The signature certificate's 4 basic info (masked unless revealed); absent for the other certificates.
    var holder: HolderSummary?

    init(_ certificate: JPKICertificate, reveal: Bool) {
        let parsed = certificate.certificate
        let dates = ISO8601DateFormatter()
        let masked = certificate.kind.identifiesHolder && !reveal
        self.certificate = certificate.kind.rawValue
        subject = masked ? parsed.subject.description(maskingCommonNames: MyKeyID.mask) : parsed.subject.description
        issuer = parsed.issuer.description
        notValidBefore = dates.string(from: parsed.notValidBefore)
        notValidAfter = dates.string(from: parsed.notValidAfter)
        publicKey = certificate.publicKeySummary
        signatureAlgorithm = "\(parsed.signatureAlgorithm)".replacingOccurrences(of: "SignatureAlgorithm.", with: "")
        sha256Fingerprint = sha256Hex(certificate.der)
        serialHex = masked ? String(repeating: "*", count: certificate.serialHex.count) : certificate.serialHex
        revealed = !masked
        // The DER holds the common name and serial in the clear, so a masked summary leaves it out.
        der = masked ? nil : Data(certificate.der).base64EncodedString()
        holder = SignatureCertificateHolder(certificate: parsed).map { HolderSummary($0, reveal: reveal) }
    }

    var text: String {
        let serialNote = revealed ? "" : "  (masked: it identifies the holder; --reveal or `mynacard jpki serial` shows it)"
        return """
        certificate:   \(certificate)
        subject:       \(terminalSafe(subject))
        issuer:        \(terminalSafe(issuer))
        valid from:    \(notValidBefore)
        valid until:   \(notValidAfter)
        public key:    \(publicKey)
        signature:     \(signatureAlgorithm)
        SHA-256:       \(sha256Fingerprint)
        serial number: \(serialHex)\(serialNote)

        """ + (holder?.text ?? "")
    }
}

/// The holder's data from the signature certificate's subjectAltName, masked like `mynacard text` unless revealed.
struct HolderSummary: Encodable {
    var revealed: Bool
    var name: String?
    var address: String?
    var birthDate: String?
    var birthDateEra: String?
    var sex: String?
    var sexCode: String?
    /// 1-based positions of 代替文字 (substitute characters) in the name and address; only when revealed.
    var nameSubstitutes: [Int]?
    var addressSubstitutes: [Int]?

    init(_ holder: SignatureCertificateHolder, reveal: Bool) {
        revealed = reveal
        name = holder.name.map { reveal ? $0 : BasicInfo.mask(name: $0) }
        address = holder.address.map { reveal ? $0 : BasicInfo.mask(address: $0) }
        birthDate = reveal ? holder.birthDate : holder.birthDateCode.map { _ in BasicInfo.maskedBirthDate }
        birthDateEra = reveal ? holder.birthEra : holder.birthDateCode.map { _ in BasicInfo.maskedSex }
        sex = reveal ? holder.sex : holder.sexCode.map { _ in BasicInfo.maskedSex }
        sexCode = reveal ? holder.sexCode : holder.sexCode.map { _ in BasicInfo.maskedSex }
        nameSubstitutes = reveal ? holder.substitutedNamePositions : nil
        addressSubstitutes = reveal ? holder.substitutedAddressPositions : nil
    }

    var text: String {
        func substitutes(_ positions: [Int]?) -> String {
            guard let positions, !positions.isEmpty else { return "" }
            return "  (代替文字 at \(positions.map(String.init).joined(separator: ", ")))"
        }
        return """
            name:          \(name ?? "-")\(substitutes(nameSubstitutes))
            address:       \(address ?? "-")\(substitutes(addressSubstitutes))
            birth date:    \(birthDate ?? "-")\(birthDateEra.map { " (\($0))" } ?? "")
            sex:           \(sex ?? "-")
            \(revealed ? "" : "(the name, address, birth date and sex are masked; --reveal shows them)\n")
            """
    }
}

extension JPKICertificateKind {
    /// Whether the certificate is the holder's own, whose common name and serial number identify the holder.
    var identifiesHolder: Bool { self == .authentication || self == .signing }
}
