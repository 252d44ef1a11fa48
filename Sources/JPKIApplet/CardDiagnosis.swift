import CardSession

/// What kind of card answers, judged by the applets it has and, where that is not enough, by the
/// JPKI token label (EF 0006) — never by the ATR, which an NFC reader makes up.
public enum CardDiagnosis: Equatable, Sendable {
    /// A current-generation My Number card: the JPKI, text and card-face applets answer.
    case myNumberCard
    /// A smartphone's JPKI applet (スマホ用電子証明書): JPKI only, by design.
    case smartphone(JPKITokenKind)
    /// A 住基カード: the JPKI applet of the card before the My Number card.
    case residentRegistryCard
    /// A My Number card on which applets are missing.
    case missingApplets([CardApplet])
    /// No JPKI applet: not a current-generation My Number card (another card, or a later generation).
    case notCurrentGeneration

    /// Judges a card from which applets answered and, when the JPKI applet did, its token kind
    /// (needed only when the text or card-face applet is missing; `nil` when not read).
    public init(applets present: Set<CardApplet>, token: JPKITokenKind?) {
        guard present.contains(.jpki) else { self = .notCurrentGeneration; return }
        let missing = Self.myNumberCardApplets.filter { !present.contains($0) }
        switch token {
        case .some(let kind) where kind.isSmartphone: self = .smartphone(kind)
        case .some(.residentRegistryCard): self = .residentRegistryCard
        default: self = missing.isEmpty ? .myNumberCard : .missingApplets(missing)
        }
    }

    /// The applets every current-generation My Number card has.
    public static let myNumberCardApplets: [CardApplet] = [.jpki, .textInputAssist, .cardFace]

    /// A stable word for scripts: `my-number-card`, `smartphone`, `resident-registry-card`,
    /// `missing-applets` or `not-current-generation`.
    public var code: String {
        switch self {
        case .myNumberCard: "my-number-card"
        case .smartphone: "smartphone"
        case .residentRegistryCard: "resident-registry-card"
        case .missingApplets: "missing-applets"
        case .notCurrentGeneration: "not-current-generation"
        }
    }

    /// Whether the card is what mynacard is for (a My Number card, or a smartphone's JPKI applet).
    public var isUsable: Bool {
        switch self {
        case .myNumberCard, .smartphone: true
        case .residentRegistryCard, .missingApplets, .notCurrentGeneration: false
        }
    }

    /// The diagnosis in words.
    public var summary: String {
        switch self {
        case .myNumberCard:
            "a current-generation My Number card (its JPKI, text and card-face applets answer)"
        case .smartphone(let kind):
            "\(kind.displayName): it holds the JPKI certificates and keys only; the text and card-face applets exist only on the card"
        case .residentRegistryCard:
            "a 住基カード (Basic Resident Registration Card), not a My Number card: its JPKI certificates can no longer be renewed"
        case .missingApplets(let missing):
            "a My Number card on which the " + missing.map(\.displayName).joined(separator: " and ")
                + " applet\(missing.count == 1 ? " does" : "s do") not answer"
        case .notCurrentGeneration:
            "this card is not a current-generation My Number card: it has no JPKI (公的個人認証) applet"
        }
    }
}
