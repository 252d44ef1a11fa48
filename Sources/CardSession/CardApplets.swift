import APDU

/// The applets of a My Number card, by the AIDs public implementations select them with
/// (see docs/card-facts.md for sources).
public enum CardApplet: String, CaseIterable, Sendable {
    /// 公的個人認証AP: JPKI keys, certificates and PINs.
    case jpki = "jpki"
    /// 券面事項入力補助AP: My Number and the 4 basic info as text.
    case textInputAssist = "text"
    /// 券面AP: the card face (photo, images).
    case cardFace = "face"

    /// The applet's AID.
    public var aid: AID {
        switch self {
        case .jpki: AID([0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01])
        case .textInputAssist: AID([0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08])
        case .cardFace: AID([0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02])
        }
    }

    /// The applet's name as users know it.
    public var displayName: String {
        switch self {
        case .jpki: "JPKI (公的個人認証)"
        case .textInputAssist: "text (券面事項入力補助AP)"
        case .cardFace: "card face (券面AP)"
        }
    }
}

extension CardSession {
    /// Selects one of the card's applets.
    public func select(_ applet: CardApplet) throws {
        try selectApplet(applet.aid, name: applet.displayName)
    }
}
