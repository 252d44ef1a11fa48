import APDU

/// Something that exchanges APDUs with one card: a PC/SC connection, or an emulated card in memory.
///
/// Conforming types only move bytes; ``transmit(_:)`` adds the ISO 7816-4 response handling
/// (`61 xx` GET RESPONSE and `6C xx` re-send) once for all of them.
public protocol CardTransport: AnyObject {
    /// The name of the reader the card sits in.
    var readerName: String { get }
    /// The card's answer to reset.
    var atr: [UInt8] { get }
    /// Whether a card is in the reader right now.
    var isCardPresent: Bool { get }
    /// Sends a command's bytes and returns the response's bytes, data and status word together.
    func transmitRaw(_ command: [UInt8]) throws -> [UInt8]
    /// Starts exclusive use of the card: no other program can talk to it until ``endTransaction()``.
    /// Each card operation takes it anew; between two operations other programs may use the card.
    func beginTransaction() throws
    /// Ends exclusive use of the card, leaving it as it is.
    func endTransaction() throws
    /// Ends exclusive use of the card and resets it (clearing every applet's security status), for when an
    /// operation could not clear what it verified itself. Other programs then see the reset.
    func endTransactionResettingCard() throws
}

extension CardTransport {
    /// Sends a command and returns the complete response, fetching `61 xx` continuations and
    /// re-sending on `6C xx` as ISO 7816-4 asks.
    public func transmit(_ command: CommandAPDU) throws -> ResponseAPDU {
        var response = try ResponseAPDU(bytes: transmitRaw(try command.encoded()))
        if let length = response.statusWord.correctLength {
            var corrected = command
            corrected.expectedLength = length
            response = try ResponseAPDU(bytes: transmitRaw(try corrected.encoded()))
        }
        var data = response.data
        var rounds = 0
        while let more = response.statusWord.moreDataAvailable {
            rounds += 1
            guard rounds <= 256 else { throw CardIOError.protocolViolation("the card kept announcing more data (61 xx) after 256 GET RESPONSE commands") }
            response = try ResponseAPDU(bytes: transmitRaw(try CommandAPDU.getResponse(length: more).encoded()))
            data += response.data
        }
        return ResponseAPDU(data: data, statusWord: response.statusWord)
    }

    /// Sends a command that carries a secret (a PIN) and wipes every buffer this side made of it:
    /// the command's data and its encoding. No GET RESPONSE handling: VERIFY and CHANGE REFERENCE DATA
    /// return no data.
    public func transmitSecret(_ command: inout CommandAPDU) throws -> ResponseAPDU {
        var bytes = try command.encoded()
        defer {
            wipe(&bytes)
            wipe(&command.data)
        }
        return try ResponseAPDU(bytes: transmitRaw(bytes))
    }

    /// A transport that cannot reset its card ends the transaction as it is.
    public func endTransactionResettingCard() throws {
        try endTransaction()
    }
}
