import APDU
import CardSession

/// The files of the 券面事項入力補助AP (text applet); its PIN is ``PINKind/textInputAssist``. Sources in docs/card-facts.md.
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
    /// EF 0007: the card's own public key and the data-signing key's signature over it; needs the PIN, PIN-A or PIN-B.
    public static let cardKey = FileID(0x0007)
}

/// The files of the 券面AP (card-face applet); its PINs are ``PINKind/faceMyNumber`` and ``PINKind/faceBirthExpiryCode``. Sources in docs/card-facts.md.
public enum FaceAPFiles {
    /// EF 0002: the card face (birth date, sex, images, photo, expiry, security code image).
    public static let cardFace = FileID(0x0002)
    /// EF 0004: the CV certificate of the key that signed the card face. Free to read.
    public static let certificate = FileID(0x0004)
    /// EF 0005: the My Number image; readable only after PIN-A.
    public static let myNumberImage = FileID(0x0005)
}
