/// A PDF name such as `/Type`, held as its bytes after `#xx` escapes are decoded (ISO 32000-1 §7.3.5).
public struct PDFName: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The decoded bytes, without the leading slash.
    public let bytes: [UInt8]

    /// A name from its decoded bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    public init(stringLiteral value: String) { bytes = Array(value.utf8) }

    /// The name as text (UTF-8, which PDF 2.0 recommends), e.g. `adbe.pkcs7.detached`.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public var description: String { "/" + text }
}

/// A reference to an indirect object, `12 0 R`.
public struct PDFReference: Hashable, Sendable, CustomStringConvertible {
    /// The object number.
    public let number: Int
    /// The generation number.
    public let generation: Int

    /// A reference to object `number`, generation `generation`.
    public init(_ number: Int, _ generation: Int = 0) {
        self.number = number
        self.generation = generation
    }

    public var description: String { "\(number) \(generation) R" }
}

/// A PDF object (ISO 32000-1 §7.3), without streams: streams are read by ``PDFFile`` and never rewritten.
public indirect enum PDFObject: Equatable, Sendable {
    case null
    case boolean(Bool)
    case integer(Int)
    /// A real number, kept as written so that copying an object does not change it.
    case real(String)
    /// A literal or hexadecimal string: its decoded bytes.
    case string([UInt8])
    case name(PDFName)
    case array([PDFObject])
    case dictionary(PDFDictionary)
    case reference(PDFReference)

    /// The dictionary, if this is one.
    public var dictionary: PDFDictionary? { if case .dictionary(let value) = self { value } else { nil } }
    /// The array, if this is one.
    public var array: [PDFObject]? { if case .array(let value) = self { value } else { nil } }
    /// The name, if this is one.
    public var name: PDFName? { if case .name(let value) = self { value } else { nil } }
    /// The integer, if this is one.
    public var integer: Int? { if case .integer(let value) = self { value } else { nil } }
    /// The string's bytes, if this is a string.
    public var stringBytes: [UInt8]? { if case .string(let value) = self { value } else { nil } }
    /// The reference, if this is one.
    public var reference: PDFReference? { if case .reference(let value) = self { value } else { nil } }

    /// A text string (§7.9.2.2): UTF-16BE after a byte order mark, UTF-8 after one (PDF 2.0), else
    /// PDFDocEncoding, read here as Latin-1 (they agree on every printable ASCII character).
    public var text: String? {
        guard let bytes = stringBytes else { return nil }
        if bytes.starts(with: [0xFE, 0xFF]) {
            var units: [UInt16] = []
            var index = 2
            while index + 1 < bytes.count {
                units.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
                index += 2
            }
            return String(decoding: units, as: UTF16.self)
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return String(decoding: bytes.dropFirst(3), as: UTF8.self) }
        return String(bytes.map { Character(Unicode.Scalar($0)) })
    }

    /// A text string holding `text`: PDFDocEncoding when it is printable ASCII, else UTF-16BE with a byte order mark.
    public static func text(_ text: String) -> PDFObject {
        if text.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) { return .string(Array(text.utf8)) }
        return .string([0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
    }
}

/// A PDF dictionary, keeping its entries in their order so that a copy reads like the original.
public struct PDFDictionary: Equatable, Sendable {
    /// The entries in order.
    public private(set) var entries: [(key: PDFName, value: PDFObject)]

    /// A dictionary with `entries`.
    public init(_ entries: [(key: PDFName, value: PDFObject)] = []) { self.entries = entries }

    /// The value for `key`; setting `nil` removes the entry, setting a new key appends it.
    public subscript(key: PDFName) -> PDFObject? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    public static func == (lhs: PDFDictionary, rhs: PDFDictionary) -> Bool {
        lhs.entries.count == rhs.entries.count && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

// MARK: Writing

extension PDFObject {
    /// The object in PDF syntax. Strings are written in hexadecimal, which needs no escaping.
    public var serialized: [UInt8] {
        var output: [UInt8] = []
        write(to: &output)
        return output
    }

    func write(to output: inout [UInt8]) {
        switch self {
        case .null: output += Array("null".utf8)
        case .boolean(let value): output += Array((value ? "true" : "false").utf8)
        case .integer(let value): output += Array(String(value).utf8)
        case .real(let text): output += Array(text.utf8)
        case .string(let bytes):
            output.append(UInt8(ascii: "<"))
            output += hexDigits(bytes)
            output.append(UInt8(ascii: ">"))
        case .name(let name): output += name.serialized
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(0x20) }
                item.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .dictionary(let dictionary): dictionary.write(to: &output)
        case .reference(let reference): output += Array(reference.description.utf8)
        }
    }
}

extension PDFDictionary {
    /// The dictionary in PDF syntax.
    public var serialized: [UInt8] {
        var output: [UInt8] = []
        write(to: &output)
        return output
    }

    func write(to output: inout [UInt8]) {
        output += Array("<<".utf8)
        for (key, value) in entries {
            output += key.serialized
            output.append(0x20)
            value.write(to: &output)
        }
        output += Array(">>".utf8)
    }
}

extension PDFName {
    /// `/Name`, with `#xx` for every byte that is not a regular printable character.
    var serialized: [UInt8] {
        var output: [UInt8] = [UInt8(ascii: "/")]
        for byte in bytes {
            if byte > 0x20 && byte < 0x7F && !PDFSyntax.isDelimiter(byte) && byte != UInt8(ascii: "#") {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "#"))
                output += hexDigits([byte])
            }
        }
        return output
    }
}

/// Upper-case hexadecimal digits for `bytes`.
func hexDigits(_ bytes: [UInt8]) -> [UInt8] {
    let digits = Array("0123456789ABCDEF".utf8)
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        output.append(digits[Int(byte >> 4)])
        output.append(digits[Int(byte & 0x0F)])
    }
    return output
}
