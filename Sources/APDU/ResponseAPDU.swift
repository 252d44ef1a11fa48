/// A card's answer: response data followed by the two status bytes.
public struct ResponseAPDU: Equatable, Sendable {
    /// The response data, without the status word.
    public var data: [UInt8]
    /// The status word that ends every response.
    public var statusWord: StatusWord

    /// Creates a response from its parts.
    public init(data: [UInt8] = [], statusWord: StatusWord) {
        self.data = data
        self.statusWord = statusWord
    }

    /// Parses a response from the bytes the reader returned.
    /// - Throws: ``APDUError/responseTooShort(length:)`` when fewer than two bytes arrived.
    public init(bytes: [UInt8]) throws {
        guard bytes.count >= 2 else { throw APDUError.responseTooShort(length: bytes.count) }
        data = Array(bytes[..<(bytes.count - 2)])
        statusWord = StatusWord(sw1: bytes[bytes.count - 2], sw2: bytes[bytes.count - 1])
    }

    /// The response as sent over the wire: data then SW1 SW2.
    public var bytes: [UInt8] { data + [statusWord.sw1, statusWord.sw2] }
}
