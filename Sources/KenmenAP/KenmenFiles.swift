import APDU
import CardSession

/// The files and PINs of the 券面事項入力補助AP (text applet); sources in docs/card-facts.md.
public enum TextAPFiles {
    /// EF 0001: `FF10 0C` + the 12-digit 個人番号, padded with `FF FF` to 17 bytes.
    public static let myNumber = FileID(0x0001)
    /// The physical size of EF 0001, which the authenticity hash DF31 covers.
    public static let myNumberFileSize = 17
    /// EF 0002: the 4 basic info (name, address, birth date, sex).
    public static let basicInfo = FileID(0x0002)
    /// EF 0003: SHA-256 hashes of EF 0001 and EF 0002 and a signature over them.
    public static let authenticity = FileID(0x0003)
    /// EF 0004: the CV certificate of the key that signed EF 0003. Free to read.
    public static let certificate = FileID(0x0004)
    /// EF 0011: the 4-digit text applet PIN.
    public static let pin = FileID(0x0011)

    /// The PIN file behind a text-applet PIN kind; `nil` for other applets' PINs.
    public static func pinFile(for kind: PINKind) -> FileID? {
        kind == .textInputAssist ? pin : nil
    }

    /// The PINs this tool uses in the text applet.
    public static let pins: [PINKind] = [.textInputAssist]
}

/// The files and PINs of the 券面AP (card-face applet); sources in docs/card-facts.md.
public enum FaceAPFiles {
    /// EF 0002: the card face (birth date, sex, images, photo, expiry, security code image).
    public static let cardFace = FileID(0x0002)
    /// EF 0004: the CV certificate of the key that signed the card face. Free to read.
    public static let certificate = FileID(0x0004)
    /// EF 0005: the My Number image; readable only after PIN-A.
    public static let myNumberImage = FileID(0x0005)
    /// EF 0013: PIN-A (照合番号A, the 12-digit My Number).
    public static let pinA = FileID(0x0013)
    /// EF 0012: PIN-B (照合番号B, 14 digits).
    public static let pinB = FileID(0x0012)

    /// The PIN file behind a card-face PIN kind; `nil` for other applets' PINs.
    public static func pinFile(for kind: PINKind) -> FileID? {
        switch kind {
        case .faceMyNumber: pinA
        case .faceBirthExpiryCode: pinB
        default: nil
        }
    }

    /// The PINs of the card-face applet.
    public static let pins: [PINKind] = [.faceMyNumber, .faceBirthExpiryCode]
}
