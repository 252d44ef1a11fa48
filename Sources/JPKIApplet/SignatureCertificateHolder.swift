import SwiftASN1
import X509

/// The holder's 4 basic info as the signature certificate carries them: otherName entries of its
/// subjectAltName (OIDs 1.2.392.200149.8.5.5.1–.6, docs/card-facts.md "Sign cert SAN"). Personal data:
/// the CLI masks it unless asked to reveal it.
public struct SignatureCertificateHolder: Equatable, Sendable {
    /// 氏名, family and given name separated by U+3000.
    public let name: String?
    /// 氏名 代替文字 flags: one `0`/`1` per character of the name, `1` where a substitute character stands
    /// for one the card's character set lacks.
    public let nameSubstitutes: String?
    /// 性別 as coded here: `1` male, `2` female, `3` unknown (not ISO 5218, unlike the text applet).
    public let sexCode: String?
    /// 生年月日 as coded here: `EYYYYMMDD`, E the era (1 明治 … 5 令和, 0 unknown), then the Gregorian date.
    public let birthDateCode: String?
    /// 住所, from the prefecture.
    public let address: String?
    /// 住所 代替文字 flags, one `0`/`1` per character of the address.
    public let addressSubstitutes: String?

    static let base: [UInt] = [1, 2, 392, 200149, 8, 5, 5]

    /// Reads the holder's data from `certificate`; `nil` when its subjectAltName has none of it
    /// (an authentication certificate, say).
    public init?(certificate: Certificate) {
        guard let names = try? certificate.extensions.subjectAlternativeNames else { return nil }
        var values: [UInt: String] = [:]
        for name in names {
            guard case .otherName(let other) = name, let value = other.value else { continue }
            let components = Array(other.typeID.oidComponents)
            guard components.count == 8, Array(components.prefix(7)) == Self.base, let last = components.last,
                  let text = Self.string(value) else { continue }
            values[last] = text
        }
        guard !values.isEmpty else { return nil }
        name = values[1]
        nameSubstitutes = values[2]
        sexCode = values[3]
        birthDateCode = values[4]
        address = values[5]
        addressSubstitutes = values[6]
    }

    private static func string(_ value: ASN1Any) -> String? {
        if let text = try? ASN1UTF8String(asn1Any: value) { return String(text) }
        if let text = try? ASN1PrintableString(asn1Any: value) { return String(text) }
        if let text = try? ASN1IA5String(asn1Any: value) { return String(text) }
        if let text = try? ASN1BMPString(asn1Any: value) {
            let bytes = Array(text.bytes)
            return String(decoding: stride(from: 0, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) },
                          as: UTF16.self)
        }
        return nil
    }

    /// The sex in words, from ``sexCode``.
    public var sex: String? {
        switch sexCode {
        case "1": "male"
        case "2": "female"
        case "3": "unknown"
        case nil: nil
        default: "code \(sexCode ?? "")"
        }
    }

    /// The era of the birth date, from ``birthDateCode``: 明治, 大正, 昭和, 平成, 令和, or nil when unknown.
    public var birthEra: String? {
        guard let first = birthDateCode?.first else { return nil }
        return switch first {
        case "1": "明治"
        case "2": "大正"
        case "3": "昭和"
        case "4": "平成"
        case "5": "令和"
        default: nil
        }
    }

    /// The Gregorian birth date as `YYYY-MM-DD`, from ``birthDateCode``; nil when it is not `EYYYYMMDD`.
    public var birthDate: String? {
        guard let code = birthDateCode, code.count == 9, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) else { return nil }
        let digits = Array(code.dropFirst())
        return String(digits[0..<4]) + "-" + String(digits[4..<6]) + "-" + String(digits[6..<8])
    }

    /// Positions (1-based) of the name's characters that are substitutes.
    public var substitutedNamePositions: [Int] { Self.positions(nameSubstitutes) }
    /// Positions (1-based) of the address's characters that are substitutes.
    public var substitutedAddressPositions: [Int] { Self.positions(addressSubstitutes) }

    private static func positions(_ flags: String?) -> [Int] {
        (flags ?? "").enumerated().filter { $0.element == "1" }.map { $0.offset + 1 }
    }
}

extension SignatureCertificateHolder: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Nothing personal: the holder's data must not reach logs by accident.
    public var description: String { "SignatureCertificateHolder(…)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
