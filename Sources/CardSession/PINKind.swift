import APDU

/// The PINs on a My Number card. Each lives in one applet; a wrong try costs one of its tries.
public enum PINKind: String, CaseIterable, Sendable, Codable {
    /// JPKI 利用者証明用 PIN: 4 digits, 3 tries; guards the authentication key.
    case jpkiAuthentication = "auth"
    /// JPKI 署名用 PIN (password): 6–16 of A–Z and 0–9, 5 tries; guards the signing key and certificate.
    case jpkiSigning = "sign"
    /// 券面事項入力補助AP PIN: 4 digits, 3 tries; usually set to the same value as the auth PIN.
    case textInputAssist = "text"
    /// 券面事項入力補助AP 照合番号A: the 12-digit My Number (EF 0014).
    case textMyNumber = "text-a"
    /// 券面事項入力補助AP 照合番号B: the same 14 digits as the card face's PIN-B (EF 0015).
    case textBirthExpiryCode = "text-b"
    /// 券面AP PIN-A: the 12-digit My Number printed on the card's back.
    case faceMyNumber = "face-a"
    /// 券面AP PIN-B (照合番号B): birth date as Japanese-era YYMMDD (e.g. 平成2年1月1日 → `020101`), the card's
    /// expiry year (YYYY, Gregorian) and the 4-digit security code: 14 digits. A foreign resident's card
    /// takes the Gregorian YY instead of the era year (docs/card-facts.md).
    case faceBirthExpiryCode = "face-b"
    /// 住民基本台帳用暗証番号 (the resident-registry PIN): 4 digits, 3 tries; used at the municipal office
    /// (moving house, changing the card's data), not by the holder's own software.
    case residentRegistry = "juki"

    /// The applet the PIN lives in.
    public var applet: CardApplet {
        switch self {
        case .jpkiAuthentication, .jpkiSigning: .jpki
        case .textInputAssist, .textMyNumber, .textBirthExpiryCode: .textInputAssist
        case .faceMyNumber, .faceBirthExpiryCode: .cardFace
        case .residentRegistry: .residentRegistry
        }
    }

    /// The PIN's elementary file in its applet (docs/card-facts.md: JPKI 0018/001B, text 0011/0014/0015,
    /// face 0013/0012, 住基 001C).
    public var file: FileID {
        switch self {
        case .jpkiAuthentication: FileID(0x0018)
        case .jpkiSigning: FileID(0x001B)
        case .textInputAssist: FileID(0x0011)
        case .textMyNumber: FileID(0x0014)
        case .textBirthExpiryCode: FileID(0x0015)
        case .faceMyNumber: FileID(0x0013)
        case .faceBirthExpiryCode: FileID(0x0012)
        case .residentRegistry: FileID(0x001C)
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
        case .textMyNumber: "text applet PIN-A (照合番号A: My Number)"
        case .textBirthExpiryCode: "text applet PIN-B (照合番号B: birth date YYMMDD + expiry year + security code)"
        case .faceMyNumber: "card-face PIN-A (My Number)"
        case .faceBirthExpiryCode: "card-face PIN-B (照合番号B: birth date YYMMDD + expiry year + security code)"
        case .residentRegistry: "resident-registry PIN (住民基本台帳用暗証番号)"
        }
    }

    /// What a valid PIN of this kind looks like.
    public var format: PINFormat {
        switch self {
        case .jpkiAuthentication, .textInputAssist, .residentRegistry: .digits(4...4)
        case .jpkiSigning: .upperAlphanumeric(6...16)
        case .faceMyNumber, .textMyNumber: .myNumber
        case .faceBirthExpiryCode, .textBirthExpiryCode: .birthExpiryCode
        }
    }

    /// The number of tries a fresh card has (照合番号A/B: assumed, no public source gives it).
    public var maximumTries: Int {
        switch self {
        case .jpkiAuthentication, .textInputAssist, .residentRegistry: 3
        case .jpkiSigning: 5
        case .faceMyNumber, .faceBirthExpiryCode, .textMyNumber, .textBirthExpiryCode: 10
        }
    }

    /// Where a blocked PIN of this kind can be reset.
    public var resetAdvice: String {
        switch self {
        case .jpkiAuthentication, .textInputAssist:
            "it can only be reset at the municipal office counter (市区町村窓口) with the card and photo ID; "
                + "where offered, a convenience-store kiosk can also reset it after identity verification with the smartphone app"
        case .residentRegistry:
            "it can only be reset at the municipal office counter (市区町村窓口) with the card and photo ID"
        case .jpkiSigning:
            "it can only be reset at the municipal office counter (市区町村窓口), which re-issues the signing certificate; "
                + "where offered, a convenience-store kiosk can also reset it after identity verification with the smartphone app"
        case .faceMyNumber, .faceBirthExpiryCode, .textMyNumber, .textBirthExpiryCode:
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
    /// A 12-digit My Number whose last digit is the check digit of the first 11 (個人番号 施行令 第八条).
    case myNumber
    /// PIN-B: birth date `YYMMDD` (Japanese-era or Gregorian year), the card's expiry year `YYYY` and the
    /// 4-digit security code, 14 digits whose month, day and expiry year can exist.
    case birthExpiryCode

    /// Why `pin` cannot be right, or `nil` when it fits the format.
    public func problem(with pin: PINCode) -> String? {
        pin.withBytes { problem(in: $0) }
    }

    private func problem(in bytes: [UInt8]) -> String? {
        switch self {
        case .digits(let lengths):
            if !bytes.allSatisfy(Self.isDigit) { return "it must contain only digits 0-9" }
            if !lengths.contains(bytes.count) { return "it must be \(Self.describe(lengths)) digits long, not \(bytes.count)" }
        case .upperAlphanumeric(let lengths):
            if !bytes.allSatisfy({ Self.isDigit($0) || Self.isUpperLetter($0) }) {
                return "it may contain only upper-case letters A-Z and digits 0-9"
            }
            if !lengths.contains(bytes.count) { return "it must be \(Self.describe(lengths)) characters long, not \(bytes.count)" }
        case .myNumber:
            if let problem = PINFormat.digits(12...12).problem(in: bytes) { return problem }
            if MyNumberCheckDigit.expected(forFirst11: bytes.prefix(11)) != bytes[11] {
                return "its last digit is not the check digit of the first 11, so a digit is mistyped"
            }
        case .birthExpiryCode:
            if let problem = PINFormat.digits(14...14).problem(in: bytes) { return problem }
            return PINBRules.problem(month: Self.number(bytes[2..<4]), day: Self.number(bytes[4..<6]),
                                     expiryYear: Self.number(bytes[6..<10]))
        }
        return nil
    }

    public var description: String {
        switch self {
        case .digits(let lengths): "\(Self.describe(lengths)) digits"
        case .upperAlphanumeric(let lengths): "\(Self.describe(lengths)) characters of A-Z and 0-9"
        case .myNumber: "the 12-digit My Number"
        case .birthExpiryCode: "14 digits: birth date YYMMDD, expiry year YYYY, security code"
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    static func isUpperLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) }

    /// The value of ASCII digits (the caller checked they are digits).
    private static func number(_ digits: ArraySlice<UInt8>) -> Int {
        digits.reduce(0) { $0 * 10 + Int($1 &- 0x30) }
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
