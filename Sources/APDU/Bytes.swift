/// Hexadecimal text for byte sequences, as the card's documentation writes them ("00 A4 04 0C").
extension Sequence where Element == UInt8 {
    /// Upper-case hex with no separators, e.g. `"3BE000FF"`.
    public var hexString: String {
        var text = ""
        text.unicodeScalars.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            text.unicodeScalars.append(hexDigits[Int(byte >> 4)])
            text.unicodeScalars.append(hexDigits[Int(byte & 0x0F)])
        }
        return text
    }

    /// Upper-case hex with a space between bytes, e.g. `"3B E0 00 FF"`.
    public var spacedHexString: String {
        map { [$0].hexString }.joined(separator: " ")
    }
}

private let hexDigits = Array("0123456789ABCDEF".unicodeScalars)

extension Array where Element == UInt8 {
    /// Parses hex text; spaces, colons and a leading `0x` are allowed. Returns `nil` for anything else.
    public init?(hex text: String) {
        var cleaned = text.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: ":", with: "")
        if cleaned.hasPrefix("0x") || cleaned.hasPrefix("0X") { cleaned.removeFirst(2) }
        guard cleaned.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(cleaned.count / 2)
        var index = cleaned.startIndex
        while index < cleaned.endIndex {
            let next = cleaned.index(index, offsetBy: 2)
            guard let byte = UInt8(cleaned[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self = bytes
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

/// Overwrites a byte array with zeros in place and empties it: for buffers that held a PIN.
public func wipe(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBufferPointer { buffer in
        for index in buffer.indices { buffer[index] = 0 }
    }
    bytes.removeAll()
}
