import APDU
import CardSession

/// A 12-digit 個人番号 (My Number). Its description is masked: only the last 4 digits show.
public struct MyNumber: Equatable, Sendable, CustomStringConvertible {
    /// The 12 digits, including the check digit.
    public let digits: String

    /// Creates a My Number from 12 ASCII digits; `nil` when `digits` is not 12 digits.
    /// The check digit is not enforced here, so a wrong one can be reported: see ``hasValidCheckDigit``.
    public init?(_ digits: String) {
        guard digits.utf8.count == 12, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        self.digits = digits
    }

    /// Parses the content of the text applet's EF 0001 (`FF10 0C` + 12 digits, `FF` filler after it).
    public init(file bytes: [UInt8]) throws {
        // Not TLV.parseAll: it would take the leading FF of the tag for padding.
        let object: TLV
        do { object = try TLV.parseFirst(bytes).0 } catch {
            throw CardSessionError.malformedData("the My Number file (EF 0001) is not TLV data: \(error)")
        }
        guard object.tag == 0xFF10 else {
            throw CardSessionError.malformedData("the My Number file (EF 0001) has no FF10 object")
        }
        guard let number = MyNumber(String(decoding: object.value, as: UTF8.self)) else {
            throw CardSessionError.malformedData("the My Number file (EF 0001) does not hold 12 digits (\(object.value.count) bytes)")
        }
        self = number
    }

    /// Whether the last digit is the check digit of the first 11 (個人番号 施行令 第八条).
    public var hasValidCheckDigit: Bool {
        let bytes = Array(digits.utf8)
        return MyNumberCheckDigit.expected(forFirst11: bytes.prefix(11)) == bytes.last
    }

    /// `**** **** 1234`: the number with all but the last 4 digits hidden.
    public var masked: String { "**** **** " + digits.suffix(4) }

    /// `1234 5678 9018`: the whole number in groups of 4, for when the user asked to reveal it.
    public var grouped: String {
        let chars = Array(digits)
        return stride(from: 0, to: 12, by: 4).map { String(chars[$0..<($0 + 4)]) }.joined(separator: " ")
    }

    public var description: String { masked }
}
