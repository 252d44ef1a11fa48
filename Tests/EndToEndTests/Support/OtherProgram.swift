import CPCSCLite
import Foundation

/// Another program using the card at the same time as mynacard, played by the test with plain pcsc-lite calls
/// (none of mynacard's code): it connects in shared mode, sends APDUs, holds transactions and resets the card.
final class OtherProgram: @unchecked Sendable {
    private var context: SCARDCONTEXT = 0
    private var handle: SCARDHANDLE = 0
    private var activeProtocol: DWORD = 0
    private let lock = NSLock()

    /// Connects to the card in `reader`.
    init(reader: String) throws {
        guard SCardEstablishContext(MYNA_SCARD_SCOPE_SYSTEM, nil, nil, &context) == MYNA_SCARD_S_SUCCESS else {
            throw FixtureError("the other program cannot reach pcscd")
        }
        let result = SCardConnect(context, reader, MYNA_SCARD_SHARE_SHARED, MYNA_SCARD_PROTOCOL_T0 | MYNA_SCARD_PROTOCOL_T1,
                                  &handle, &activeProtocol)
        guard result == MYNA_SCARD_S_SUCCESS else {
            SCardReleaseContext(context)
            throw FixtureError("the other program cannot connect to the card: \(String(cString: pcsc_stringify_error(result)))")
        }
    }

    deinit {
        SCardDisconnect(handle, MYNA_SCARD_LEAVE_CARD)
        SCardReleaseContext(context)
    }

    /// Sends an APDU and returns the card's answer (data and status word), or nothing when pcsc-lite refused.
    func send(_ command: [UInt8]) -> [UInt8] {
        lock.withLock {
            var response = [UInt8](repeating: 0, count: 4096)
            var length = DWORD(response.count)
            let result = SCardTransmit(handle, myna_pci_for_protocol(activeProtocol), command, DWORD(command.count), nil, &response, &length)
            return result == MYNA_SCARD_S_SUCCESS ? Array(response.prefix(Int(length))) : []
        }
    }

    /// The status word of the card's answer to `command`, as four hex digits ("6982"); "none" when there was no answer.
    func statusWord(_ command: [UInt8]) -> String {
        let answer = send(command)
        guard answer.count >= 2 else { return "none" }
        return answer.suffix(2).map { String(format: "%02X", $0) }.joined()
    }

    /// What pcsc-lite says of this connection now (SCardStatus): success, or that the card was reset or removed
    /// since this program's last call.
    func connectionState() -> LONG {
        lock.withLock {
            var atr = [UInt8](repeating: 0, count: Int(MYNA_MAX_ATR_SIZE))
            var atrLength = DWORD(atr.count)
            var state: DWORD = 0
            var proto: DWORD = 0
            var nameLength: DWORD = 0
            return SCardStatus(handle, nil, &nameLength, &state, &proto, &atr, &atrLength)
        }
    }

    /// Takes the card's transaction (waiting as pcsc-lite waits: for ever), taking up a card reset meanwhile.
    func beginTransaction() {
        lock.withLock {
            while SCardBeginTransaction(handle) == MYNA_SCARD_W_RESET_CARD {
                SCardReconnect(handle, MYNA_SCARD_SHARE_SHARED, MYNA_SCARD_PROTOCOL_T0 | MYNA_SCARD_PROTOCOL_T1, MYNA_SCARD_LEAVE_CARD, &activeProtocol)
            }
        }
    }

    /// Ends the transaction, resetting the card when asked (as mynacard did at the end of every command before).
    func endTransaction(resetting: Bool = false) {
        lock.withLock { _ = SCardEndTransaction(handle, resetting ? MYNA_SCARD_RESET_CARD : MYNA_SCARD_LEAVE_CARD) }
    }

    /// Resets the card, as a program does that ends with a reset.
    func resetCard() {
        beginTransaction()
        endTransaction(resetting: true)
    }

    /// Uses the card for a moment, then lets go of it and resets it — as mynacard did at the end of every command
    /// before (`SCardDisconnect` with `SCARD_RESET_CARD`): a program whose connection waited for the card gets it
    /// just before the reset.
    func useThenReset() {
        beginTransaction()
        usleep(30_000)
        endTransaction()
        lock.withLock {
            _ = SCardReconnect(handle, MYNA_SCARD_SHARE_SHARED, MYNA_SCARD_PROTOCOL_T0 | MYNA_SCARD_PROTOCOL_T1, MYNA_SCARD_RESET_CARD, &activeProtocol)
        }
    }
}
