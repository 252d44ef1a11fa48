import APDU

/// What a card's answer to reset says: how the card is connected, and which card it suggests.
///
/// The ATR only ever suggests: over NFC the reader makes it up (some readers even put the card's
/// random PUPI into it), so mynacard judges a card by the applets that answer, never by its ATR.
/// The ATRs listed here and their sources are in docs/card-facts.md.
public struct CardATR: Equatable, Sendable {
    /// How the card is connected, as far as the ATR tells.
    public enum Interface: String, Sendable {
        /// The card's own ATR, through its contacts.
        case contact
        /// An ATR built by a contactless (NFC) reader for an ISO 14443 card.
        case contactless
        /// Neither could be told.
        case other
    }

    /// Which card the ATR belongs to, as far as the known lists tell.
    public enum Card: String, Sendable {
        /// A My Number card (個人番号カード).
        case myNumberCard = "my-number-card"
        /// A 住民基本台帳カード (住基カード), the card before the My Number card.
        case residentRegistryCard = "resident-registry-card"
        /// Not in the lists.
        case unknown
    }

    /// The ATR's bytes.
    public let bytes: [UInt8]
    /// How the card is connected.
    public let interface: Interface
    /// Which card the ATR is known for.
    public let card: Card

    /// Classifies `atr`.
    public init(_ atr: [UInt8]) {
        bytes = atr
        if let known = Self.known.first(where: { $0.bytes == atr }) {
            interface = known.interface
            card = known.card
        } else {
            interface = Self.isReaderMadeContactless(atr) ? .contactless : .other
            card = .unknown
        }
    }

    /// Whether this is one of the ATRs real My Number cards are known to present.
    public var isKnownMyNumberCard: Bool { card == .myNumberCard }

    /// A short note for people: what the ATR says, never more than it can.
    public var note: String {
        switch (card, interface) {
        case (.myNumberCard, .contact): "a My Number card's contact ATR"
        case (.myNumberCard, _): "a My Number card's ATR as a contactless reader makes it"
        case (.residentRegistryCard, .contact): "a 住基カード's contact ATR (the card before the My Number card)"
        case (.residentRegistryCard, _): "a 住基カード's ATR as a contactless reader makes it (the card before the My Number card)"
        case (.unknown, .contactless): "made by a contactless (NFC) reader; the applets tell which card this is"
        case (.unknown, _): "not in mynacard's list of known ATRs; the applets tell which card this is"
        }
    }

    /// A PC/SC Part 3 ATR for an ISO 14443-4 card (`3B 8n 80 01` + historical bytes + TCK), or the
    /// SCM/Identiv readers' form (`3B F5 91 00 FF 91 81 71 FE 40 00 4x …`, 41 = Type A, 42 = Type B).
    private static func isReaderMadeContactless(_ atr: [UInt8]) -> Bool {
        if atr.count >= 5, atr[0] == 0x3B, atr[1] & 0xF0 == 0x80, atr[2] == 0x80, atr[3] == 0x01 { return true }
        let scm: [UInt8] = [0x3B, 0xF5, 0x91, 0x00, 0xFF, 0x91, 0x81, 0x71, 0xFE, 0x40, 0x00]
        return atr.count > scm.count && Array(atr.prefix(scm.count)) == scm && (atr[scm.count] == 0x41 || atr[scm.count] == 0x42)
    }

    private struct Known {
        var bytes: [UInt8]
        var interface: Interface
        var card: Card

        init(_ hex: String, _ interface: Interface, _ card: Card) {
            bytes = [UInt8](hex: hex) ?? []
            self.interface = interface
            self.card = card
        }
    }

    /// The ATRs of real cards that public lists name (docs/card-facts.md gives each one's sources).
    private static let known: [Known] = [
        // Contact: pcsc-tools' smartcard_list.txt, OpenSC's Windows ATR table (PR #3744), OpenSC issue #3021.
        Known("3B C5 FF 81 31 FB 45 80 73 C6 01 00 00", .contact, .myNumberCard),
        Known("3B DA 13 FF 81 31 FB 46 80 12 39 2F 31 C1 73 C6 01 C0 3B", .contact, .myNumberCard),
        // Made by SCM/Identiv contactless readers (pcsc-tools; OpenSC's table lists them with the contact ones).
        Known("3B F5 91 00 FF 91 81 71 FE 40 00 42 00 01 00 D1 D6", .contactless, .myNumberCard),
        Known("3B F5 91 00 FF 91 81 71 FE 40 00 42 00 01 B3 A1 15", .contactless, .myNumberCard),
        // PC/SC Part 3, built from the ATQB (pcsc-tools; OpenSC PR #3744; jpki/myna issue #12).
        Known("3B 88 80 01 00 00 05 E0 B3 81 A1 00 7F", .contactless, .myNumberCard),
        Known("3B 88 80 01 00 00 41 E0 B3 81 A1 00 3B", .contactless, .myNumberCard),
        Known("3B 88 80 01 00 4B 51 FF 00 81 D1 00 BC", .contactless, .myNumberCard),
        Known("3B 88 80 01 00 4B 51 FF B3 81 D1 00 0F", .contactless, .myNumberCard),
        // 住基カード ("JUKICARD" in pcsc-tools; OpenSC's JPKI driver still matches the contact one).
        Known("3B E0 00 FF 81 31 FE 45 14", .contact, .residentRegistryCard),
        Known("3B 88 80 01 00 00 14 E0 B3 81 91 00 5E", .contactless, .residentRegistryCard),
    ]
}
