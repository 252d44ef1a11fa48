import APDU
import CardIO
import CardSession
import X509

/// A session with the JPKI (公的個人認証) applet: certificates, PIN counters, PIN verification and
/// card-side signing. Each method selects what it needs, so calls can come in any order.
public struct JPKISession {
    /// The underlying ISO 7816 session.
    public let session: CardSession

    /// Opens a session on `transport` and selects the JPKI applet.
    /// - Throws: ``CardSessionError/appletNotFound(applet:aid:)`` when the card has no JPKI applet.
    public init(transport: any CardTransport) throws {
        try self.init(session: CardSession(transport: transport))
    }

    /// Opens a JPKI session on an existing card session (sharing what it learnt of the reader) and
    /// selects the JPKI applet, unless `selected` says it is already the current applet.
    public init(session: CardSession, selected: Bool = false) throws {
        self.session = session
        if !selected { try session.select(.jpki) }
    }

    /// The token label from EF 0006 (e.g. `JPKIAPICCTOKEN2`), trailing spaces removed.
    public func tokenLabel() throws -> String {
        try session.selectFile(JPKIFiles.tokenInfo, name: "the token information")
        let bytes = try session.readBinary(length: 32, name: "the token information")
        let label = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        return String(label.reversed().drop { $0 == " " }.reversed())
    }

    /// What kind of token answers as the JPKI applet, from the label in EF 0006.
    public func tokenKind() throws -> JPKITokenKind {
        JPKITokenKind(label: try tokenLabel())
    }

    /// Which certificates the card was issued with (EF 0008, free to read).
    public func certificateAvailability() throws -> CertificateAvailability {
        try session.selectFile(JPKIFiles.certificateAvailability, name: "the certificate availability file")
        return CertificateAvailability(try session.readBinary(length: 3, name: "the certificate availability file", upToEnd: true))
    }

    /// Reads a certificate's DER bytes, exactly as stored on the card.
    /// - Throws: ``CardSessionError/pinRequired(_:during:)`` when the card wants a PIN first: the
    ///   signing password for the signature certificate, or, on a smartphone token, the authentication
    ///   PIN for the authentication certificate.
    public func certificateDER(_ kind: JPKICertificateKind) throws -> [UInt8] {
        do {
            return try session.readTLVFile(kind.file, name: "the \(kind.displayName)")
        } catch CardSessionError.card(let status, let during) where status == .securityStatusNotSatisfied {
            if let pin = kind.requiredPIN ?? kind.keyPIN { throw CardSessionError.pinRequired(pin, during: "reading the \(kind.displayName)") }
            throw CardSessionError.card(status, during: during)
        }
    }

    /// Reads a certificate in card operations of its own on `session`, verifying first the PIN the card wants
    /// for it: the signing password for the signature certificate, the authentication PIN for a smartphone
    /// token's authentication certificate. The PIN comes from `entry` only when it is needed and a try may be
    /// sent, with the card free while it is obtained (``CardSession/withPIN(_:force:entry:prepare:_:)``).
    /// - Throws: ``CardSessionError/notIssued(_:)`` when the card was issued without that certificate
    ///   (EF 0008 says so; checked before any PIN is asked for).
    public static func certificate(_ kind: JPKICertificateKind, on session: CardSession, force: Bool,
                                   entry: PINEntry) throws -> JPKICertificate {
        func read() throws -> JPKICertificate { try JPKISession(session: session, selected: true).certificate(kind) }
        if let pin = kind.requiredPIN {
            return try session.withPIN(pin, force: force, entry: entry,
                                       prepare: { try JPKISession(session: session, selected: true).requireIssued(kind) }, read)
        }
        do {
            return try session.operation {
                let jpki = try JPKISession(session: session)
                do {
                    return try jpki.certificate(kind)
                } catch CardSessionError.card(let status, let during) where status == .fileNotFound {
                    try jpki.requireIssued(kind)
                    throw CardSessionError.card(status, during: during)
                }
            }
        } catch CardSessionError.pinRequired(let pin, _) {
            return try session.withPIN(pin, force: force, entry: entry, read)
        }
    }

    /// Throws ``CardSessionError/notIssued(_:)`` when EF 0008 says the card has no `kind` certificate.
    /// A card whose EF 0008 cannot be read is not judged by it.
    public func requireIssued(_ kind: JPKICertificateKind) throws {
        guard let key = kind.key else { return }
        let availability: CertificateAvailability
        do { availability = try certificateAvailability() } catch is CardSessionError { return }
        if !availability.isIssued(key) { throw CardSessionError.notIssued(CertificateAvailability.notIssuedMessage(key)) }
    }

    /// Reads and parses a certificate.
    public func certificate(_ kind: JPKICertificateKind) throws -> JPKICertificate {
        try JPKICertificate(kind: kind, der: certificateDER(kind))
    }

    /// A JPKI PIN's retry counter, read without spending a try.
    public func pinStatus(_ kind: PINKind) throws -> PINStatus {
        try session.pinStatus(jpki(kind))
    }

    /// Verifies a JPKI PIN in hand, inside the current operation, with the guard of ``CardSession/verifyPIN(_:kind:force:)``.
    public func verify(_ kind: PINKind, pin: PINCode, force: Bool = false) throws {
        try session.verifyPIN(pin, kind: jpki(kind), force: force)
    }

    /// Changes a JPKI PIN in hand after verifying the current one, inside the current operation.
    public func changePIN(_ kind: PINKind, current: PINCode, new: PINCode, force: Bool = false) throws {
        try session.changePIN(jpki(kind), current: current, new: new, force: force)
    }

    /// `kind`, which must be one of this applet's PINs (a programming error otherwise).
    private func jpki(_ kind: PINKind) -> PINKind {
        precondition(kind.applet == .jpki, "\(kind) is not a JPKI PIN")
        return kind
    }

    /// Has the card sign `digestInfo` (a DER DigestInfo) with `key`: the card adds PKCS#1 v1.5 padding.
    /// The key's PIN must have been verified in this session.
    /// - Returns: the signature, as long as the key's modulus (256 bytes for RSA-2048).
    public func sign(digestInfo: [UInt8], with key: JPKIKey) throws -> [UInt8] {
        try session.selectFile(key.file, name: "the \(key.rawValue) key")
        let response = try session.transport.transmit(.computeDigitalSignature(digestInfo: digestInfo))
        if response.statusWord == .securityStatusNotSatisfied {
            throw CardSessionError.pinRequired(key.pin, during: "signing with the \(key.rawValue) key")
        }
        guard response.statusWord.isSuccess else {
            throw CardSessionError.card(response.statusWord, during: "signing with the \(key.rawValue) key")
        }
        guard response.data.count >= 128 else {
            throw CardSessionError.malformedData("a \(response.data.count)-byte signature from the \(key.rawValue) key")
        }
        return response.data
    }
}
