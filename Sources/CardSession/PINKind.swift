import APDU

/// The PINs on a My Number card. Each lives in one applet; a wrong try costs one of its tries.
public enum PINKind: String, CaseIterable, Sendable, Codable {
    /// JPKI 利用者証明用 PIN: 4 digits, 3 tries; guards the authentication key.
    case jpkiAuthentication = "auth"
    /// JPKI 署名用 PIN (password): 6–16 of A–Z and 0–9, 5 tries; guards the signing key and certificate.
    case jpkiSigning = "sign"
    /// 券面事項入力補助AP PIN: 4 digits, 3 tries; usually set to the same value as the auth PIN.
    case textInputAssist = "text"
    /// 券面AP PIN-A: the 12-digit My Number printed on the card's back.
    case faceMyNumber = "face-a"
    /// 券面AP PIN-B (照合番号B): birth date as Japanese-era YYMMDD (e.g. 平成2年1月1日 → `020101`), the card's
    /// expiry year (YYYY, Gregorian) and the 4-digit security code: 14 digits.
    case faceBirthExpiryCode = "face-b"

    /// The applet the PIN lives in.
    public var applet: CardApplet {
        switch self {
        case .jpkiAuthentication, .jpkiSigning: .jpki
        case .textInputAssist: .textInputAssist
        case .faceMyNumber, .faceBirthExpiryCode: .cardFace
        }
    }

    /// The PIN's elementary file in its applet (docs/card-facts.md: JPKI 0018/001B, text 0011, face 0013/0012).
    public var file: FileID {
        switch self {
        case .jpkiAuthentication: FileID(0x0018)
        case .jpkiSigning: FileID(0x001B)
        case .textInputAssist: FileID(0x0011)
        case .faceMyNumber: FileID(0x0013)
        case .faceBirthExpiryCode: FileID(0x0012)
        }
    }

    /// The PINs of one applet, in the order the card's documentation lists them.
    public static func kinds(in applet: CardApplet) -> [PINKind] {
        allCases.filter { $0.applet == applet }
    }

    /// The name a user knows the PIN by.
    public var displayName: String {
        switch self {
        case .jpkiAuthentication: "authentication PIN (利用者証明用暗証番号)"
        case .jpkiSigning: "signing password (署名用パスワード)"
        case .textInputAssist: "text applet PIN (券面事項入力補助用暗証番号)"
        case .faceMyNumber: "card-face PIN-A (My Number)"
        case .faceBirthExpiryCode: "card-face PIN-B (era birth date YYMMDD + expiry year + security code)"
        }
    }

    /// What a valid PIN of this kind looks like.
    public var format: PINFormat {
        switch self {
        case .jpkiAuthentication, .textInputAssist: .digits(4...4)
        case .jpkiSigning: .upperAlphanumeric(6...16)
        case .faceMyNumber: .digits(12...12)
        case .faceBirthExpiryCode: .digits(14...14)
        }
    }

    /// The number of tries a fresh card has.
    public var maximumTries: Int {
        switch self {
        case .jpkiAuthentication, .textInputAssist: 3
        case .jpkiSigning: 5
        case .faceMyNumber, .faceBirthExpiryCode: 10
        }
    }

    /// Where a blocked PIN of this kind can be reset.
    public var resetAdvice: String {
        switch self {
        case .jpkiAuthentication, .textInputAssist:
            "it can only be reset at the municipal office counter (市区町村窓口) with the card and photo ID; "
                + "where offered, a convenience-store kiosk can also reset it after identity verification with the smartphone app"
        case .jpkiSigning:
            "it can only be reset at the municipal office counter (市区町村窓口), which re-issues the signing certificate; "
                + "where offered, a convenience-store kiosk can also reset it after identity verification with the smartphone app"
        case .faceMyNumber, .faceBirthExpiryCode:
            "ask the municipal office counter (市区町村窓口)"
        }
    }
}

/// The shape of a PIN, checked before it is ever sent to the card.
public enum PINFormat: Equatable, Sendable, CustomStringConvertible {
    /// Only the digits 0–9, with a length in the range.
    case digits(ClosedRange<Int>)
    /// Only upper-case A–Z and digits 0–9, with a length in the range.
    case upperAlphanumeric(ClosedRange<Int>)

    /// Why `pin` cannot be right, or `nil` when it fits the format.
    public func problem(with pin: PINCode) -> String? {
        pin.withBytes { bytes in
            switch self {
            case .digits(let lengths):
                if !bytes.allSatisfy({ (0x30...0x39).contains($0) }) { return "it must contain only digits 0-9" }
                if !lengths.contains(bytes.count) { return "it must be \(Self.describe(lengths)) digits long, not \(bytes.count)" }
            case .upperAlphanumeric(let lengths):
                if bytes.contains(where: { (0x61...0x7A).contains($0) }) { return "it must use upper-case letters (A-Z), not lower-case" }
                if !bytes.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) }) {
                    return "it may contain only upper-case letters A-Z and digits 0-9"
                }
                if !lengths.contains(bytes.count) { return "it must be \(Self.describe(lengths)) characters long, not \(bytes.count)" }
            }
            return nil
        }
    }

    public var description: String {
        switch self {
        case .digits(let lengths): "\(Self.describe(lengths)) digits"
        case .upperAlphanumeric(let lengths): "\(Self.describe(lengths)) characters of A-Z and 0-9"
        }
    }

    private static func describe(_ lengths: ClosedRange<Int>) -> String {
        lengths.count == 1 ? "\(lengths.lowerBound)" : "\(lengths.lowerBound) to \(lengths.upperBound)"
    }
}

/// A PIN's retry counter as the card reports it, read without spending a try.
public enum PINStatus: Equatable, Sendable, CustomStringConvertible {
    /// The PIN was already verified in this card session.
    case verified
    /// This many wrong tries remain before the PIN blocks.
    case remaining(Int)
    /// No tries remain; the PIN is blocked.
    case blocked
    /// The PIN has no retry limit: the card answers the retry query with `63 00` (soltia48/myna-card).
    case unlimited
    /// The card has no such PIN: its retry query answers "referenced data not found" (`6A 88`), as a
    /// card issued without PINs may.
    case notSet

    /// The remaining tries, or `nil` when the card did not say (already verified, no limit, not set).
    public var triesLeft: Int? {
        switch self {
        case .verified, .unlimited, .notSet: nil
        case .remaining(let count): count
        case .blocked: 0
        }
    }

    public var description: String {
        switch self {
        case .verified: "verified"
        case .remaining(let count): "\(count) \(count == 1 ? "try" : "tries") left"
        case .blocked: "BLOCKED"
        case .unlimited: "no retry limit"
        case .notSet: "not set on this card"
        }
    }
}
