import APDU
import CardSession

/// 性別 as the card stores it (ISO/IEC 5218, JIS X 0303).
public enum Sex: String, Equatable, Sendable, Codable {
    case notKnown = "0"
    case male = "1"
    case female = "2"
    case notApplicable = "9"

    /// The English word.
    public var displayName: String {
        switch self {
        case .notKnown: "not known"
        case .male: "male"
        case .female: "female"
        case .notApplicable: "not applicable"
        }
    }
}

/// A date as the card stores it, `YYYYMMDD` (Gregorian).
public struct CardDate: Equatable, Sendable, CustomStringConvertible {
    /// The Gregorian year.
    public let year: Int
    /// The month, 1–12.
    public let month: Int
    /// The day of the month, 1–31.
    public let day: Int

    /// Parses 8 ASCII digits `YYYYMMDD`; `nil` when they are not a plausible date.
    public init?(_ text: String) {
        guard text.utf8.count == 8, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let value = Int(text) else { return nil }
        year = value / 10000
        month = value / 100 % 100
        day = value % 100
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
    }

    /// `1990-01-01`.
    public var description: String {
        String(year) + "-" + (month < 10 ? "0" : "") + String(month) + "-" + (day < 10 ? "0" : "") + String(day)
    }
}

/// 基本4情報 from the text applet's EF 0002: name, address, birth date and sex.
public struct BasicInfo: Equatable, Sendable {
    /// 氏名; family and given name separated by U+3000.
    public let name: String
    /// 住所, from the prefecture, with full-width digits.
    public let address: String
    /// 生年月日.
    public let birthDate: CardDate
    /// 性別.
    public let sex: Sex
    /// The bytes the authenticity hash DF32 covers: the DF22…DF25 objects, i.e. the value of FF20
    /// after the DF21 offset table.
    public let signedBytes: [UInt8]

    /// Parses the content of EF 0002 (`FF20 { DF21 offsets, DF22 name, DF23 address, DF24 birth date, DF25 sex }`).
    public init(file bytes: [UInt8]) throws {
        func bad(_ why: String) -> CardSessionError { .malformedData("the basic info file (EF 0002) \(why)") }
        let (outer, length): (TLV, Int)
        do { (outer, length) = try TLV.parseFirst(bytes) } catch { throw bad("is not TLV data: \(error)") }
        guard outer.tag == 0xFF20 else { throw bad("does not start with FF20") }
        let inner: [TLV]
        do { inner = try TLV.parseAll(outer.value) } catch { throw bad("has malformed contents: \(error)") }
        guard let table = inner.first, table.tag == 0xDF21 else { throw bad("has no DF21 offset table first") }
        if let problem = offsetTableProblem(table, fileLength: length) { throw bad(problem) }
        signedBytes = Array(outer.value.dropFirst(table.encoded.count))
        func text(_ tag: UInt32, _ what: String) throws -> String {
            guard let object = inner.first(tag: tag) else { throw bad("has no \(what)") }
            guard let string = String(validating: object.value, as: UTF8.self) else { throw bad("has a \(what) that is not UTF-8") }
            return string
        }
        name = try text(0xDF22, "name (DF22)")
        address = try text(0xDF23, "address (DF23)")
        guard let date = CardDate(try text(0xDF24, "birth date (DF24)")) else { throw bad("has a birth date that is not YYYYMMDD") }
        birthDate = date
        guard let sex = Sex(rawValue: try text(0xDF25, "sex (DF25)")) else { throw bad("has an unknown sex code") }
        self.sex = sex
    }
}

extension BasicInfo: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The name with all but its first character hidden, e.g. `番＊＊`.
    public var maskedName: String { Self.mask(name: name) }

    /// The address cut after its prefecture (or its first three characters), e.g. `東京都＊＊＊`.
    public var maskedAddress: String { Self.mask(address: address) }

    /// `name` with all but its first character hidden (also for names read elsewhere, e.g. a certificate).
    public static func mask(name: String) -> String { String(name.prefix(1)) + "＊＊" }

    /// `address` cut after its prefecture (or its first three characters).
    public static func mask(address: String) -> String {
        let prefecture = address.prefix(4).firstIndex { "都道府県".contains($0) }.map { String(address[...$0]) }
        return (prefecture ?? String(address.prefix(3))) + "＊＊＊"
    }

    /// A birth date with every digit hidden.
    public static let maskedBirthDate = "****-**-**"

    /// Sex, hidden.
    public static let maskedSex = "*"

    /// Masked: the 4 basic info are personal data and must not reach logs by accident.
    public var description: String { "BasicInfo(\(maskedName), \(maskedAddress), \(Self.maskedBirthDate), \(Self.maskedSex))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// What is wrong with a DF21 offset table (big-endian 16-bit offsets, from the file's first byte, of the
/// objects after it; docs/card-facts.md), or `nil`. mynacard finds those objects by their tags and never
/// indexes with an offset, but an offset outside the file marks the file as malformed.
func offsetTableProblem(_ table: TLV, fileLength: Int) -> String? {
    guard table.value.count.isMultiple(of: 2) else { return "has a DF21 offset table of \(table.value.count) bytes, not 16-bit offsets" }
    for index in stride(from: 0, to: table.value.count, by: 2) {
        let offset = Int(table.value[index]) << 8 | Int(table.value[index + 1])
        if offset >= fileLength {
            return "has a DF21 offset (\(table.value[index..<(index + 2)].hexString)) past its end (\(fileLength) bytes)"
        }
    }
    return nil
}
