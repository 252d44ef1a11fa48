/// Reads PDF objects from bytes (ISO 32000-1 §7.2–7.3). Every read is bounds-checked, and nesting is
/// limited, so a damaged or hostile file gives a ``PDFError``, never a crash.
struct PDFSyntax {
    let bytes: [UInt8]
    /// The position of the next byte to read.
    var position: Int

    /// How deep arrays and dictionaries may nest.
    static let maximumDepth = 64

    init(_ bytes: [UInt8], at position: Int) {
        self.bytes = bytes
        self.position = position
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x00 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D || byte == 0x20
    }

    static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "["),
             UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "/"), UInt8(ascii: "%"): true
        default: false
        }
    }

    var atEnd: Bool { position >= bytes.count }

    func peek(_ offset: Int = 0) -> UInt8? {
        let index = position + offset
        return index >= 0 && index < bytes.count ? bytes[index] : nil
    }

    /// Skips whitespace and comments.
    mutating func skipWhitespace() {
        while let byte = peek() {
            if Self.isWhitespace(byte) {
                position += 1
            } else if byte == UInt8(ascii: "%") {
                while let next = peek(), next != 0x0A && next != 0x0D { position += 1 }
            } else {
                return
            }
        }
    }

    /// Whether `keyword` comes next (after whitespace), as a whole token; consumes it if so.
    mutating func consumeKeyword(_ keyword: String) -> Bool {
        skipWhitespace()
        let word = Array(keyword.utf8)
        guard position + word.count <= bytes.count, Array(bytes[position..<(position + word.count)]) == word else { return false }
        if let after = peek(word.count), !Self.isWhitespace(after) && !Self.isDelimiter(after) { return false }
        position += word.count
        return true
    }

    /// A regular token (a run of non-whitespace, non-delimiter bytes).
    mutating func token() -> [UInt8] {
        let start = position
        while let byte = peek(), !Self.isWhitespace(byte) && !Self.isDelimiter(byte) { position += 1 }
        return Array(bytes[start..<position])
    }

    /// A non-negative integer token, or nil (position unchanged) when none comes next.
    mutating func unsignedInteger() -> Int? {
        skipWhitespace()
        let start = position
        let digits = token()
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            position = start
            return nil
        }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// The next object.
    mutating func object(depth: Int = 0) throws(PDFError) -> PDFObject {
        guard depth < Self.maximumDepth else { throw .damaged("objects are nested more than \(Self.maximumDepth) deep") }
        skipWhitespace()
        guard let byte = peek() else { throw .damaged("the file ends inside an object") }
        switch byte {
        case UInt8(ascii: "/"):
            return .name(try name())
        case UInt8(ascii: "("):
            return .string(try literalString())
        case UInt8(ascii: "<"):
            if peek(1) == UInt8(ascii: "<") { return .dictionary(try dictionary(depth: depth)) }
            return .string(try hexString())
        case UInt8(ascii: "["):
            position += 1
            var items: [PDFObject] = []
            while true {
                skipWhitespace()
                guard let next = peek() else { throw .damaged("an array is not closed") }
                if next == UInt8(ascii: "]") { position += 1; return .array(items) }
                items.append(try object(depth: depth + 1))
            }
        default:
            return try numberOrKeyword()
        }
    }

    /// `<< /Key value … >>`.
    mutating func dictionary(depth: Int = 0) throws(PDFError) -> PDFDictionary {
        skipWhitespace()
        guard peek() == UInt8(ascii: "<"), peek(1) == UInt8(ascii: "<") else { throw .damaged("a dictionary was expected") }
        position += 2
        var result = PDFDictionary()
        while true {
            skipWhitespace()
            guard let next = peek() else { throw .damaged("a dictionary is not closed") }
            if next == UInt8(ascii: ">") {
                guard peek(1) == UInt8(ascii: ">") else { throw .damaged("a dictionary ends with a single >") }
                position += 2
                return result
            }
            guard next == UInt8(ascii: "/") else { throw .damaged("a dictionary key is not a name") }
            let key = try name()
            let value = try object(depth: depth + 1)
            // A null value is the same as no entry (§7.3.7); the first of duplicate keys wins.
            if value != .null && result[key] == nil { result[key] = value }
        }
    }

    /// `/Name`, with `#xx` escapes decoded.
    mutating func name() throws(PDFError) -> PDFName {
        position += 1  // the slash
        let raw = token()
        var result: [UInt8] = []
        var index = 0
        while index < raw.count {
            if raw[index] == UInt8(ascii: "#"), index + 2 < raw.count,
               let high = Self.hexValue(raw[index + 1]), let low = Self.hexValue(raw[index + 2]) {
                result.append(high << 4 | low)
                index += 3
            } else {
                result.append(raw[index])
                index += 1
            }
        }
        return PDFName(bytes: result)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    mutating func hexString() throws(PDFError) -> [UInt8] {
        position += 1  // <
        var result: [UInt8] = []
        var pending: UInt8?
        while true {
            guard let byte = peek() else { throw .damaged("a hexadecimal string is not closed") }
            position += 1
            if byte == UInt8(ascii: ">") { break }
            if Self.isWhitespace(byte) { continue }
            guard let value = Self.hexValue(byte) else { throw .damaged("a hexadecimal string holds a non-hexadecimal character") }
            if let high = pending { result.append(high << 4 | value); pending = nil } else { pending = value }
        }
        if let high = pending { result.append(high << 4) }
        return result
    }

    mutating func literalString() throws(PDFError) -> [UInt8] {
        position += 1  // (
        var result: [UInt8] = []
        var depth = 1
        while true {
            guard let byte = peek() else { throw .damaged("a string is not closed") }
            position += 1
            switch byte {
            case UInt8(ascii: "("):
                depth += 1
                result.append(byte)
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return result }
                result.append(byte)
            case UInt8(ascii: "\\"):
                guard let escaped = peek() else { throw .damaged("a string ends in an escape") }
                position += 1
                switch escaped {
                case UInt8(ascii: "n"): result.append(0x0A)
                case UInt8(ascii: "r"): result.append(0x0D)
                case UInt8(ascii: "t"): result.append(0x09)
                case UInt8(ascii: "b"): result.append(0x08)
                case UInt8(ascii: "f"): result.append(0x0C)
                case 0x0D: if peek() == 0x0A { position += 1 }  // line continuation
                case 0x0A: break
                case 0x30...0x37:
                    var value = Int(escaped - 0x30)
                    for _ in 0..<2 {
                        guard let next = peek(), next >= 0x30 && next <= 0x37 else { break }
                        value = value * 8 + Int(next - 0x30)
                        position += 1
                    }
                    result.append(UInt8(truncatingIfNeeded: value))
                default: result.append(escaped)
                }
            case 0x0D:
                if peek() == 0x0A { position += 1 }
                result.append(0x0A)
            default:
                result.append(byte)
            }
        }
    }

    /// A number, a reference `n g R`, `true`, `false` or `null`.
    mutating func numberOrKeyword() throws(PDFError) -> PDFObject {
        let start = position
        let word = token()
        guard !word.isEmpty else { throw .damaged("an unexpected character at byte \(start)") }
        switch word {
        case Array("true".utf8): return .boolean(true)
        case Array("false".utf8): return .boolean(false)
        case Array("null".utf8): return .null
        default: break
        }
        let text = String(decoding: word, as: UTF8.self)
        if word.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }),
           word.count <= 18, let value = Int(text) {
            // Perhaps a reference: two non-negative integers and R.
            if value >= 0 {
                let afterFirst = position
                if let generation = unsignedInteger(), generation <= 65535, consumeKeyword("R") {
                    return .reference(PDFReference(value, generation))
                }
                position = afterFirst
            }
            return .integer(value)
        }
        if word.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }),
           word.filter({ $0 == UInt8(ascii: ".") }).count == 1, word.count <= 40 {
            return .real(text)
        }
        throw .damaged("an unexpected token \(text.prefix(20)) at byte \(start)")
    }
}
