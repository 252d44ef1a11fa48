import CardSession
import Foundation

/// 照合番号B (PIN-B of the card face and of the text applet) built from what is printed on the card: the
/// birth date, the expiry year and the 4-digit security code. Everything is checked when the value is
/// made, so a PIN-B that cannot be right never costs a try (docs/card-facts.md, "照合番号B").
public struct CardFacePINB {
    /// How the birth year enters PIN-B. Nothing on the card tells which one it wants before a try is
    /// spent, so the caller chooses (from what the card face prints) and is told which is used.
    public enum YearForm: String, Sendable, CaseIterable, CustomStringConvertible {
        /// The year of the Japanese era, 元年 = 1 (1990-01-01 → 平成2 → `020101`): Japanese nationals' cards.
        case japaneseEra = "japanese-era"
        /// The Gregorian year's last two digits (1990-01-01 → `900101`): foreign residents' cards, whose face
        /// prints the Western date.
        case gregorian = "gregorian"

        public var description: String {
            switch self {
            case .japaneseEra: "the birth year as a Japanese-era year (a Japanese national's card)"
            case .gregorian: "the birth year as a Western (Gregorian) year (a foreign resident's card)"
            }
        }
    }

    /// Japan has used the Gregorian calendar since 1873-01-01 (明治6年); no card holder was born earlier.
    public static let earliestBirthDate = CardDate(checkedYear: 1873, month: 1, day: 1)

    /// 生年月日, in the Gregorian calendar.
    public let birthDate: CardDate
    /// The card's expiry year (有効期限の年).
    public let expiryYear: Int
    /// How the birth year is written in the PIN.
    public let yearForm: YearForm
    private let securityCode: PINCode

    /// Checks what was read off the card and keeps it: `birthDate` a real date between 1873 and today,
    /// `expiryYear` one a My Number card can have and not before the birth year, `securityCode` 4 digits.
    public init(birthDate: CardDate, expiryYear: Int, securityCode: PINCode, yearForm: YearForm, now: Date = Date()) throws(CardFacePINBError) {
        try Self.check(birthDate: birthDate, expiryYear: expiryYear, now: now)
        guard securityCode.count == 4, securityCode.withBytes({ $0.allSatisfy { (0x30...0x39).contains($0) } }) else {
            throw .securityCodeNotFourDigits
        }
        self.birthDate = birthDate
        self.expiryYear = expiryYear
        self.securityCode = securityCode
        self.yearForm = yearForm
    }

    /// Checks the printed birth date and expiry year alone (the security code may come later, read like a PIN):
    /// `birthDate` a real date between 1873 and today, `expiryYear` one a My Number card can have and not before the birth year.
    public static func check(birthDate: CardDate, expiryYear: Int, now: Date = Date()) throws(CardFacePINBError) {
        guard CardDate(year: birthDate.year, month: birthDate.month, day: birthDate.day) != nil else { throw .birthDateNotADate }
        guard birthDate >= earliestBirthDate else { throw .bornBeforeGregorianCalendar }
        guard birthDate <= CardDate.today(now) else { throw .bornInTheFuture }
        let years = PINBRules.earliestExpiryYear...PINBRules.latestExpiryYear(now: now)
        guard years.contains(expiryYear) else { throw .expiryYearImpossible(years) }
        guard expiryYear >= birthDate.year else { throw .expiryBeforeBirth }
    }

    /// The two digits standing for the birth year.
    public var birthYearDigits: Int {
        switch yearForm {
        // The initialiser refused dates before 1873, so an era is always found.
        case .japaneseEra: JapaneseEra.of(birthDate)?.year ?? 0
        case .gregorian: birthDate.year % 100
        }
    }

    /// The 14-digit PIN-B: birth date YYMMDD (year in ``yearForm``), expiry year YYYY, security code.
    public func pin() -> PINCode {
        var digits = Array(String(format: "%02d%02d%02d%04d", birthYearDigits, birthDate.month, birthDate.day, expiryYear).utf8)
        securityCode.withBytes { digits += $0 }
        return PINCode(consuming: &digits)
    }
}

/// Why what was read off the card cannot make a PIN-B. The messages never repeat the values.
public enum CardFacePINBError: Error, Equatable, Sendable, CustomStringConvertible {
    case birthDateNotADate
    case bornBeforeGregorianCalendar
    case bornInTheFuture
    case expiryYearImpossible(ClosedRange<Int>)
    case expiryBeforeBirth
    case securityCodeNotFourDigits

    public var description: String {
        switch self {
        case .birthDateNotADate:
            "the birth date is not a real date: give it as YYYY-MM-DD in the Western calendar (平成元年1月8日 is 1989-01-08)"
        case .bornBeforeGregorianCalendar:
            "the birth date is before 1873-01-01, when Japan took up the Western calendar: no card holder was born then"
        case .bornInTheFuture:
            "the birth date is in the future"
        case .expiryYearImpossible(let years):
            "the expiry year must be between \(years.lowerBound) and \(years.upperBound): no My Number card expires in another year"
        case .expiryBeforeBirth:
            "the expiry year is before the birth year"
        case .securityCodeNotFourDigits:
            "the security code must be the 4 digits printed on the card face"
        }
    }
}
