/// One BER-TLV data object (ISO/IEC 7816-4 §5.2, ISO/IEC 8825-1): a tag, a length and a value.
public struct TLV: Equatable, Sendable {
    /// The tag as a number, all its bytes kept (e.g. `0xDF22`, `0x5F20`).
    public let tag: UInt32
    /// The value bytes.
    public let value: [UInt8]

    /// Creates a data object.
    public init(tag: UInt32, value: [UInt8]) {
        self.tag = tag
        self.value = value
    }

    /// Whether the tag marks a constructed object (one whose value is itself TLV data).
    public var isConstructed: Bool {
        var first = tag
        while first > 0xFF { first >>= 8 }
        return first & 0x20 != 0
    }

    /// The encoded object: tag, definite length and value.
    public var encoded: [UInt8] {
        var tagBytes: [UInt8] = []
        var remaining = tag
        repeat {
            tagBytes.insert(UInt8(remaining & 0xFF), at: 0)
            remaining >>= 8
        } while remaining > 0
        return tagBytes + TLV.encodeLength(value.count) + value
    }

    /// Encodes a definite length in its shortest form (a negative length as 0; beyond 2^32−1, the low 32 bits).
    public static func encodeLength(_ length: Int) -> [UInt8] {
        let bytes = { (count: Int) in (0..<count).reversed().map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } }
        switch length {
        case ..<0: return [0x00]
        case ..<0x80: return [UInt8(length)]
        case ..<0x100: return [0x81] + bytes(1)
        case ..<0x10000: return [0x82] + bytes(2)
        case ..<0x100_0000: return [0x83] + bytes(3)
        default: return [0x84] + bytes(4)
        }
    }

    /// Parses every data object in `bytes`, in order. Padding bytes `00` and `FF` between objects are skipped,
    /// as ISO 7816-4 allows.
    /// - Throws: ``APDUError/malformedTLV(_:)`` when an object is truncated or its length is not definite.
    public static func parseAll(_ bytes: some Collection<UInt8>) throws -> [TLV] {
        let buffer = Array(bytes)
        var objects: [TLV] = []
        var index = 0
        while index < buffer.count {
            if buffer[index] == 0x00 || buffer[index] == 0xFF { index += 1; continue }
            let (object, next) = try parse(buffer, at: index)
            objects.append(object)
            index = next
        }
        return objects
    }

    /// Parses the single data object that starts `bytes`, returning it and the number of bytes it took.
    public static func parseFirst(_ bytes: some Collection<UInt8>) throws -> (TLV, consumed: Int) {
        let buffer = Array(bytes)
        let (object, next) = try parse(buffer, at: 0)
        return (object, next)
    }

    private static func parse(_ buffer: [UInt8], at start: Int) throws -> (TLV, Int) {
        var index = start
        guard index < buffer.count else { throw APDUError.malformedTLV("no tag at offset \(start)") }
        var tag = UInt32(buffer[index])
        if buffer[index] & 0x1F == 0x1F {  // multi-byte tag
            repeat {
                index += 1
                guard index < buffer.count else { throw APDUError.malformedTLV("tag at offset \(start) is cut off") }
                guard tag <= 0x00FF_FFFF else { throw APDUError.malformedTLV("tag at offset \(start) is longer than 4 bytes") }
                tag = tag << 8 | UInt32(buffer[index])
            } while buffer[index] & 0x80 != 0
        }
        index += 1
        guard index < buffer.count else { throw APDUError.malformedTLV("length of tag \(hex(tag)) is missing") }
        var length = Int(buffer[index])
        index += 1
        if length > 0x80 {
            let count = length & 0x7F
            guard count <= 3 else { throw APDUError.malformedTLV("length of tag \(hex(tag)) uses \(count) bytes; at most 3 are supported") }
            guard index + count <= buffer.count else { throw APDUError.malformedTLV("length of tag \(hex(tag)) is cut off") }
            length = buffer[index..<(index + count)].reduce(0) { $0 << 8 | Int($1) }
            index += count
        } else if length == 0x80 {
            throw APDUError.malformedTLV("tag \(hex(tag)) uses an indefinite length, which this card never does")
        }
        guard length <= buffer.count - index else {
            throw APDUError.malformedTLV("tag \(hex(tag)) declares \(length) byte(s) but only \(buffer.count - index) remain")
        }
        return (TLV(tag: tag, value: Array(buffer[index..<(index + length)])), index + length)
    }

    private static func hex(_ tag: UInt32) -> String {
        var bytes: [UInt8] = []
        var remaining = tag
        repeat { bytes.insert(UInt8(remaining & 0xFF), at: 0); remaining >>= 8 } while remaining > 0
        return bytes.hexString
    }
}

extension Array where Element == TLV {
    /// The first object with `tag`, or `nil`.
    public func first(tag: UInt32) -> TLV? { first { $0.tag == tag } }
}
