import APDU

/// What a card's answer to reset says about how it is connected.
public enum CardATR: Equatable, Sendable {
    /// The contact interface's ATR of the My Number card, `3B E0 00 FF 81 31 FE 45 14`
    /// (OpenSC's JPKI driver; docs/card-facts.md, one source).
    case myNumberContact
    /// An ATR built by a contactless (NFC) reader, `3B 8n 80 01 …` (PC/SC Part 3, ISO 14443-4 cards):
    /// every My Number card read over NFC shows one of these, so it says nothing about the card itself.
    case contactless
    /// Any other ATR.
    case other

    /// Classifies `atr`.
    public init(_ atr: [UInt8]) {
        if atr == [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14] {
            self = .myNumberContact
        } else if atr.count >= 5, atr[0] == 0x3B, atr[1] & 0xF0 == 0x80, atr[2] == 0x80, atr[3] == 0x01 {
            self = .contactless
        } else {
            self = .other
        }
    }

    /// `contact`, `contactless` or `other`, as `info --json`, `watch` and the counter page name it.
    public var code: String {
        switch self {
        case .myNumberContact: "contact"
        case .contactless: "contactless"
        case .other: "other"
        }
    }

    /// A short note for people: how the card answered.
    public var note: String {
        switch self {
        case .myNumberContact: "My Number card, contact interface"
        case .contactless: "contactless (NFC) ATR made by the reader"
        case .other: "not the usual My Number card ATR"
        }
    }
}
