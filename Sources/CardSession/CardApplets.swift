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
    /// The applet holding the 住民基本台帳用暗証番号 (resident-registry PIN) that TRETJapanNFCReader reads
    /// (soltia48/myna-card calls it 共通カードAP; docs/card-facts.md). Only its PIN counter is used.
    case residentRegistry = "juki"

    /// The applet's AID.
    public var aid: AID {
        switch self {
        case .jpki: AID([0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01])
        case .textInputAssist: AID([0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08])
        case .cardFace: AID([0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02])
        case .residentRegistry: AID([0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00])
        }
    }

    /// The applet's name as users know it.
    public var displayName: String {
        switch self {
        case .jpki: "JPKI (公的個人認証)"
        case .textInputAssist: "text (券面事項入力補助AP)"
        case .cardFace: "card face (券面AP)"
        case .residentRegistry: "resident registry (住基)"
        }
    }

    /// Whether the card's own data lives here: without it, the card cannot be used as a My Number card.
    /// The resident-registry applet serves the municipal office only, so a card without it is not unhealthy.
    public var holdsCardData: Bool { self != .residentRegistry }
}

extension CardSession {
    /// Selects one of the card's applets.
    public func select(_ applet: CardApplet) throws {
        try selectApplet(applet.aid, name: applet.displayName)
    }
}
