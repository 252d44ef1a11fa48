import APDU
import CardSession

/// The JPKI applet's certificates (sources: docs/card-facts.md, "JPKI AP").
public enum JPKICertificateKind: String, CaseIterable, Sendable, Codable {
    /// 利用者証明用電子証明書: the authentication certificate (EF 000A). Free to read; carries no holder info.
    case authentication = "auth"
    /// The CA certificate that issued the authentication certificate (EF 000B).
    case authenticationCA = "auth-ca"
    /// 署名用電子証明書: the signature certificate (EF 0001). Needs the signing password; carries the 4 basic info.
    case signing = "sign"
    /// The CA certificate that issued the signature certificate (EF 0002).
    case signingCA = "sign-ca"

    /// The elementary file holding the certificate.
    public var file: FileID {
        switch self {
        case .authentication: FileID(0x000A)
        case .authenticationCA: FileID(0x000B)
        case .signing: FileID(0x0001)
        case .signingCA: FileID(0x0002)
        }
    }

    /// The PIN that must be verified before a card lets the file be read, if any.
    public var requiredPIN: PINKind? { self == .signing ? .jpkiSigning : nil }

    /// The key whose public half the certificate holds (`nil` for the CA certificates).
    public var key: JPKIKey? {
        switch self {
        case .authentication: .authentication
        case .signing: .signing
        case .authenticationCA, .signingCA: nil
        }
    }

    /// The PIN of the certificate's key: what a token that protects the certificate itself asks for.
    var keyPIN: PINKind? { key?.pin }

    /// The certificate's name as users know it.
    public var displayName: String {
        switch self {
        case .authentication: "authentication certificate (利用者証明用電子証明書)"
        case .authenticationCA: "authentication CA certificate"
        case .signing: "signature certificate (署名用電子証明書)"
        case .signingCA: "signature CA certificate"
        }
    }
}

/// The JPKI applet's private keys. The card signs with them; they never leave it.
public enum JPKIKey: String, CaseIterable, Sendable, Codable {
    /// The authentication key (EF 0017), for login; needs the authentication PIN.
    case authentication = "auth"
    /// The signing key (EF 001A), for legally binding signatures; needs the signing password.
    case signing = "sign"

    /// The key's elementary file.
    public var file: FileID { self == .authentication ? FileID(0x0017) : FileID(0x001A) }
    /// The PIN the card requires verified before it signs.
    public var pin: PINKind { self == .authentication ? .jpkiAuthentication : .jpkiSigning }
    /// The certificate holding the key's public half.
    public var certificate: JPKICertificateKind { self == .authentication ? .authentication : .signing }
}

/// What answers as the JPKI applet, from the label in the first 32 bytes of EF 0006
/// (jpki/myna, soltia48/myna-card; docs/card-facts.md).
public enum JPKITokenKind: Equatable, Sendable {
    /// `JPKIAPICCTOKEN2`: a My Number card.
    case myNumberCard
    /// `JPKIAPICCTOKEN`: a 住基カード (the card before the My Number card).
    case residentRegistryCard
    /// `JPKIAPGPSETOKEN`: the JPKI applet of an Android smartphone (スマホ用電子証明書).
    case androidSmartphone
    /// `JPKIAPIOSTOKEN`: the JPKI applet of an iPhone.
    case iPhone
    /// Any other label.
    case unknown(String)

    /// Classifies a token label (trailing spaces already removed).
    public init(label: String) {
        switch label {
        case "JPKIAPICCTOKEN2": self = .myNumberCard
        case "JPKIAPICCTOKEN": self = .residentRegistryCard
        case "JPKIAPGPSETOKEN": self = .androidSmartphone
        case "JPKIAPIOSTOKEN": self = .iPhone
        default: self = .unknown(label)
        }
    }

    /// Whether this is a smartphone's JPKI applet rather than a card.
    public var isSmartphone: Bool { self == .androidSmartphone || self == .iPhone }

    /// The token in words.
    public var displayName: String {
        switch self {
        case .myNumberCard: "a My Number card"
        case .residentRegistryCard: "a 住基カード (Basic Resident Registration Card), not a My Number card"
        case .androidSmartphone: "the JPKI applet of an Android smartphone (スマホ用電子証明書), not a card"
        case .iPhone: "the JPKI applet of an iPhone (スマホ用電子証明書), not a card"
        case .unknown: "an unknown JPKI token (see its label in `mynacard info`)"
        }
    }
}

/// Which certificates a card was issued with, from EF 0008: three bytes, `8F 8F 00` on a card with
/// both; the first byte is the signature certificate's, the second the authentication certificate's,
/// `8F` meaning present (soltia48/myna-card; one source; a card without the signature certificate
/// shows `00 8F 00`).
public struct CertificateAvailability: Equatable, Sendable {
    /// The bytes as read.
    public let raw: [UInt8]

    /// Wraps the bytes of EF 0008.
    public init(_ raw: [UInt8]) { self.raw = raw }

    /// Whether the card was issued with `key`'s certificate. Anything but `8F` in its byte counts as
    /// not issued; a file too short to say counts as issued (nothing is concluded from it).
    public func isIssued(_ key: JPKIKey) -> Bool {
        let index = key == .signing ? 0 : 1
        return raw.count <= index || raw[index] == 0x8F
    }

    /// What to tell a user whose card was issued without `key`'s certificate.
    public static func notIssuedMessage(_ key: JPKIKey) -> String {
        switch key {
        case .signing:
            "this card was issued without a signature certificate (署名用電子証明書): it is not issued to children "
                + "under 15, on cards issued without PINs (顔認証マイナンバーカード), or to anyone who declined it. "
                + "The municipal office (市区町村窓口) can issue one"
        case .authentication:
            "this card was issued without an authentication certificate (利用者証明用電子証明書), for example because "
                + "the holder declined it. The municipal office (市区町村窓口) can issue one"
        }
    }
}

/// The JPKI applet's files that are not certificates or keys.
public enum JPKIFiles {
    /// Token information: a PKCS#11-style record whose first 32 bytes are the label, e.g. `JPKIAPICCTOKEN2`.
    public static let tokenInfo = FileID(0x0006)
    /// Certificate availability: 3 bytes, `8F 8F 00` when both certificates are present (docs/card-facts.md; one source).
    public static let certificateAvailability = FileID(0x0008)
}
