import Foundation

/// The Japanese eras (元号) a card holder's birth date can fall in, with the day each began
/// (docs/card-facts.md, "Japanese eras"). The card face of a Japanese national's card wants the birth
/// year as the year of its era, the first year (元年) being 1.
public enum JapaneseEra: String, CaseIterable, Sendable {
    case meiji = "明治"
    case taisho = "大正"
    case showa = "昭和"
    case heisei = "平成"
    case reiwa = "令和"

    /// The era's first day in the Gregorian calendar (明治: the first day of 明治元年, which the era
    /// covers whole).
    public var firstDay: CardDate {
        switch self {
        case .meiji: CardDate(checkedYear: 1868, month: 1, day: 25)
        case .taisho: CardDate(checkedYear: 1912, month: 7, day: 30)
        case .showa: CardDate(checkedYear: 1926, month: 12, day: 25)
        case .heisei: CardDate(checkedYear: 1989, month: 1, day: 8)
        case .reiwa: CardDate(checkedYear: 2019, month: 5, day: 1)
        }
    }

    /// The era `date` falls in and its year in that era (1 = 元年); `nil` before 明治.
    public static func of(_ date: CardDate) -> (era: JapaneseEra, year: Int)? {
        guard let era = allCases.last(where: { $0.firstDay <= date }) else { return nil }
        return (era, date.year - era.firstDay.year + 1)
    }
}

extension CardDate: Comparable {
    /// A real Gregorian date (months of the right length, 29 February only in leap years); `nil` otherwise.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...Self.days(inMonth: month, of: year)).contains(day) else { return nil }
        self.init(checkedYear: year, month: month, day: day)
    }

    /// Parses `YYYY-MM-DD` (or `YYYYMMDD`) as a real Gregorian date; `nil` for anything else.
    public init?(iso text: String) {
        let bytes = Array(text.utf8)
        let digits = bytes.count == 10 && bytes[4] == 0x2D && bytes[7] == 0x2D ? Array(bytes[0..<4] + bytes[5..<7] + bytes[8..<10]) : bytes
        guard digits.count == 8, digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        self.init(year: value / 10000, month: value / 100 % 100, day: value % 100)
    }

    /// A date whose parts the caller knows to be right.
    init(checkedYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Today in the local time zone.
    public static func today(_ now: Date = Date()) -> CardDate {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: .current, from: now)
        return CardDate(checkedYear: parts.year ?? 0, month: parts.month ?? 1, day: parts.day ?? 1)
    }

    public static func < (lhs: CardDate, rhs: CardDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// The number of days in `month` of `year` (Gregorian leap years).
    static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
