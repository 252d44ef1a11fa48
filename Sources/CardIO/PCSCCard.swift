import APDU
import CPCSCLite
import Foundation

/// A connection to the card in one PC/SC reader. The card is reset when the connection closes,
/// so that no verified PIN outlives the program that verified it.
public final class PCSCCard: CardTransport {
    public let readerName: String
    public private(set) var atr: [UInt8] = []
    private let context: PCSCContext
    private var handle: SCARDHANDLE = 0
    private let protocolControl: UnsafePointer<SCARD_IO_REQUEST>
    private var isConnected = true

    init(context: PCSCContext, reader: String) throws {
        self.context = context
        self.readerName = reader
        var handle: SCARDHANDLE = 0
        var activeProtocol: DWORD = 0
        let result = SCardConnect(context.handle, reader, MYNA_SCARD_SHARE_SHARED,
                                  MYNA_SCARD_PROTOCOL_T0 | MYNA_SCARD_PROTOCOL_T1, &handle, &activeProtocol)
        guard result == MYNA_SCARD_S_SUCCESS else { throw PCSCContext.error(result, function: "SCardConnect", reader: reader) }
        self.handle = handle
        self.protocolControl = myna_pci_for_protocol(activeProtocol)
        self.atr = try readATR()
    }

    deinit { disconnect() }

    /// Closes the connection and resets the card (clearing its security state). Safe to call twice.
    public func disconnect() {
        guard isConnected else { return }
        isConnected = false
        SCardDisconnect(handle, MYNA_SCARD_RESET_CARD)
    }

    public var isCardPresent: Bool {
        (try? context.readers().first { $0.name == readerName }?.hasCard) ?? false
    }

    public func transmitRaw(_ command: [UInt8]) throws -> [UInt8] {
        var response = [UInt8](repeating: 0, count: 65536 + 2)
        var responseLength = DWORD(response.count)
        let result = SCardTransmit(handle, protocolControl, command, DWORD(command.count), nil, &response, &responseLength)
        guard result == MYNA_SCARD_S_SUCCESS else { throw failure(result, function: "SCardTransmit") }
        // A reader that loses the card mid-exchange may report success with no status bytes (vpcd does).
        guard responseLength >= 2 else {
            if !PCSCContext.serviceIsRunning { throw CardIOError.serviceStopped }
            throw cardWentAway() ? CardIOError.cardRemoved(reader: readerName)
                : CardIOError.protocolViolation("a response of \(responseLength) byte(s), without status bytes")
        }
        return Array(response.prefix(Int(responseLength)))
    }

    public func beginTransaction() throws {
        let result = SCardBeginTransaction(handle)
        guard result == MYNA_SCARD_S_SUCCESS else { throw failure(result, function: "SCardBeginTransaction") }
    }

    public func endTransaction() throws {
        let result = SCardEndTransaction(handle, MYNA_SCARD_LEAVE_CARD)
        guard result == MYNA_SCARD_S_SUCCESS else { throw failure(result, function: "SCardEndTransaction") }
    }

    private func readATR() throws -> [UInt8] {
        var atrBuffer = [UInt8](repeating: 0, count: Int(MYNA_MAX_ATR_SIZE))
        var atrLength = DWORD(atrBuffer.count)
        var state: DWORD = 0
        var activeProtocol: DWORD = 0
        var nameLength: DWORD = 0
        let result = SCardStatus(handle, nil, &nameLength, &state, &activeProtocol, &atrBuffer, &atrLength)
        guard result == MYNA_SCARD_S_SUCCESS else { throw failure(result, function: "SCardStatus") }
        return Array(atrBuffer.prefix(Int(atrLength)))
    }

    /// Whether the card has left the reader, giving pcscd up to two seconds to notice (it polls readers).
    private func cardWentAway() -> Bool {
        for _ in 0..<20 {
            if !isCardPresent { return true }
            usleep(100_000)
        }
        return false
    }

    /// A failed call usually means the card went away: say so when the reader is now empty. When pcscd itself
    /// has gone (killed or restarted mid-operation) the reader looks empty too: that is told apart first.
    private func failure(_ code: LONG, function: String) -> CardIOError {
        let error = PCSCContext.error(code, function: function, reader: readerName)
        switch error {
        case .serviceUnavailable, .serviceStopped: return .serviceStopped
        case .cardInUse: return error
        default:
            if !PCSCContext.serviceIsRunning { return .serviceStopped }
            if case .noCard = error { return .cardRemoved(reader: readerName) }
            if case .cardRemoved = error { return error }
            return isCardPresent ? error : .cardRemoved(reader: readerName)
        }
    }
}
