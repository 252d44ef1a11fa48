/// A byte sequence that is not a well-formed APDU or TLV structure.
public enum APDUError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A command APDU that does not match any of the ISO 7816-4 cases.
    case malformedCommand(String)
    /// A response shorter than its two status bytes.
    case responseTooShort(length: Int)
    /// A command whose data or expected length cannot be encoded.
    case unencodableCommand(String)
    /// TLV data that ends early or declares an impossible length.
    case malformedTLV(String)

    public var description: String {
        switch self {
        case .malformedCommand(let why): "malformed command APDU: \(why)"
        case .responseTooShort(let length): "the card's response has \(length) byte(s); at least the 2 status bytes are needed"
        case .unencodableCommand(let why): "cannot encode command APDU: \(why)"
        case .malformedTLV(let why): "malformed TLV data: \(why)"
        }
    }
}
