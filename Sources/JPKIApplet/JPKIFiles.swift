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

    /// The PIN that must be verified before the card lets the file be read, if any.
    public var requiredPIN: PINKind? { self == .signing ? .jpkiSigning : nil }

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

/// The JPKI applet's files that are not certificates or keys.
public enum JPKIFiles {
    /// Token information: a PKCS#11-style record whose first 32 bytes are the label, e.g. `JPKIAPICCTOKEN2`.
    public static let tokenInfo = FileID(0x0006)
    /// Certificate availability: 3 bytes, `8F 8F 00` when both certificates are present (docs/card-facts.md; one source).
    public static let certificateAvailability = FileID(0x0008)
}
