/// An application identifier: the DF name used to select an applet (`00 A4 04 0C Lc AID`).
public struct AID: Hashable, Sendable, CustomStringConvertible {
    /// The identifier's bytes (5 to 16 of them, ISO/IEC 7816-4).
    public let bytes: [UInt8]

    /// Creates an AID from its bytes.
    public init(_ bytes: [UInt8]) {
        precondition((1...16).contains(bytes.count), "an AID has 1 to 16 bytes")
        self.bytes = bytes
    }

    /// Creates an AID from hex text, e.g. `"D392F000260100000001"`; `nil` if it is not 1 to 16 hex bytes.
    public init?(hex: String) {
        guard let bytes = [UInt8](hex: hex), (1...16).contains(bytes.count) else { return nil }
        self.bytes = bytes
    }

    public var description: String { bytes.hexString }
}

/// A two-byte elementary file identifier, selected with `00 A4 02 0C 02 FID`.
public struct FileID: Hashable, Sendable, CustomStringConvertible {
    /// The identifier as a number, e.g. `0x000A`.
    public let rawValue: UInt16

    /// Creates a file identifier from its value.
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// Creates a file identifier from four hex digits, e.g. `"000A"`.
    public init?(hex: String) {
        guard let bytes = [UInt8](hex: hex), bytes.count == 2 else { return nil }
        self.rawValue = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
    }

    /// The short EF identifier (1 to 30) that names this file in P1/P2 without a SELECT, for the
    /// identifiers `0001` to `001E`; `nil` for any other.
    public var shortIdentifier: UInt8? { (1...0x1E).contains(rawValue) ? UInt8(rawValue) : nil }

    /// The identifier's two bytes, high byte first.
    public var bytes: [UInt8] { [UInt8(rawValue >> 8), UInt8(rawValue & 0xFF)] }

    public var description: String { bytes.hexString }
}
