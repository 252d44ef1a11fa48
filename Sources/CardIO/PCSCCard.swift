import APDU
import CPCSCLite
import Foundation

/// A connection to the card in one PC/SC reader, shared with other programs.
///
/// Each card operation takes the reader's transaction (``beginTransaction()``) only while it talks to the card,
/// and the card is left as it is when the connection closes: what an operation verified, it clears itself
/// (``CardSession``'s operations log their PINs out), so the card is not reset under other programs' feet.
///
/// Taking the card waits for another program that holds it — at most ``busyTimeout`` seconds, telling
/// ``onBusy`` once — and then fails with ``CardIOError/cardInUse(reader:)``; pcsc-lite itself would wait forever.
/// A card that another program reset since the last operation is reconnected to (`SCardReconnect`, leaving the
/// card as it is) and checked to be the same insertion of the same card — pcscd's count of insertions and
/// removals in the reader, and the ATR: no APDU — before the operation starts from its beginning; a card taken
/// out meanwhile (even when one is back) ends the operation with ``CardIOError/cardRemoved(reader:)``.
public final class PCSCCard: CardTransport {
    /// How long taking the card waits for another program, unless the caller says otherwise.
    public static let defaultBusyTimeout: Double = 10

    public let readerName: String
    public var atr: [UInt8] { insertion.atr }
    /// How long taking the card (connecting, a transaction, reconnecting) waits for another program that holds
    /// it, in seconds.
    public var busyTimeout: Double
    /// Told once per wait, with the reader's name and ``busyTimeout``, when taking the card has waited a second
    /// for another program (so that a person knows why nothing happens).
    public var onBusy: (@Sendable (String, Double) -> Void)?

    /// This connection's own PC/SC context: a call that waits for a busy card holds its context's lock in
    /// pcsc-lite, and must not hold up anyone else's.
    private let context: PCSCContext
    private var handle: SCARDHANDLE = 0
    private var protocolControl: UnsafePointer<SCARD_IO_REQUEST>
    private var isConnected = true
    private var inTransaction = false
    /// The card as first connected to: every later connection must find the same insertion.
    private let insertion: CardInsertion

    init(reader: String, busyTimeout: Double, onBusy: (@Sendable (String, Double) -> Void)?) throws {
        readerName = reader
        self.busyTimeout = busyTimeout
        self.onBusy = onBusy
        context = try PCSCContext()
        let connection = try Self.connect(context, to: reader, until: Date().addingTimeInterval(busyTimeout)) { onBusy?(reader, busyTimeout) }
        handle = connection.handle
        protocolControl = myna_pci_for_protocol(connection.activeProtocol)
        do {
            guard let found = try context.insertion(in: reader) else { throw CardIOError.cardRemoved(reader: reader) }
            insertion = found
        } catch {
            SCardDisconnect(connection.handle, MYNA_SCARD_LEAVE_CARD)
            throw error
        }
    }

    deinit { disconnect() }

    /// Closes the connection, leaving the card as it is — unless a transaction is still open (an operation was
    /// cut short and may not have cleared what it verified): then the card is reset. Safe to call twice.
    public func disconnect() {
        guard isConnected else { return }
        isConnected = false
        SCardDisconnect(handle, inTransaction ? MYNA_SCARD_RESET_CARD : MYNA_SCARD_LEAVE_CARD)
        inTransaction = false
    }

    public var isCardPresent: Bool {
        (try? context.readers().first { $0.name == readerName }?.hasCard) ?? false
    }

    public func transmitRaw(_ command: [UInt8]) throws -> [UInt8] {
        guard isConnected else { throw CardIOError.cardRemoved(reader: readerName) }
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

    /// Takes the card for one operation: waits for another program that holds it (at most ``busyTimeout``),
    /// reconnects after a reset by another program and checks that the card is still the same insertion.
    /// - Throws: ``CardIOError/cardInUse(reader:)`` when the card was not free in time,
    ///   ``CardIOError/cardRemoved(reader:)`` when the card was taken out since the connection was made,
    ///   ``CardIOError/cardReset(reader:)`` when another program kept resetting it for all of ``busyTimeout``.
    public func beginTransaction() throws {
        let deadline = Date().addingTimeInterval(busyTimeout)
        var reconnected = false
        while true {
            if !isConnected {
                let connection = try Self.connect(context, to: readerName, until: deadline, notice: busyNotice)
                handle = connection.handle
                protocolControl = myna_pci_for_protocol(connection.activeProtocol)
                isConnected = true
                reconnected = true
            }
            let handle = self.handle
            guard let result = bounded({ SCardBeginTransaction(handle) }, until: deadline, cancel: cancelWait) else {
                throw CardIOError.cardInUse(reader: readerName)
            }
            switch result {
            case MYNA_SCARD_S_SUCCESS:
                inTransaction = true
                if reconnected { try requireSameInsertion() }
                return
            case MYNA_SCARD_W_RESET_CARD:
                // Another program reset the card: take it up again as it is now; the operation starts from scratch.
                // A program that resets it between every two transactions is waited out like a busy one (a count
                // of resets would give up on a loaded machine while the card is still usable).
                guard Date() < deadline else { throw CardIOError.cardReset(reader: readerName) }
                let negotiated = NegotiatedProtocol()
                guard let reconnect = bounded({
                    var activeProtocol: DWORD = 0
                    let result = SCardReconnect(handle, MYNA_SCARD_SHARE_SHARED, MYNA_SCARD_PROTOCOL_T0 | MYNA_SCARD_PROTOCOL_T1,
                                                MYNA_SCARD_LEAVE_CARD, &activeProtocol)
                    negotiated.value = activeProtocol
                    return result
                }, until: deadline, cancel: cancelWait) else {
                    throw CardIOError.cardInUse(reader: readerName)
                }
                guard reconnect == MYNA_SCARD_S_SUCCESS else { throw failure(reconnect, function: "SCardReconnect") }
                protocolControl = myna_pci_for_protocol(negotiated.value)
                reconnected = true
            default:
                throw failure(result, function: "SCardBeginTransaction")
            }
        }
    }

    public func endTransaction() throws {
        try end(MYNA_SCARD_LEAVE_CARD)
    }

    public func endTransactionResettingCard() throws {
        try end(MYNA_SCARD_RESET_CARD)
    }

    private func end(_ disposition: DWORD) throws {
        guard isConnected, inTransaction else { return }
        inTransaction = false
        let result = SCardEndTransaction(handle, disposition)
        guard result == MYNA_SCARD_S_SUCCESS else { throw failure(result, function: "SCardEndTransaction") }
    }

    /// Inside a transaction after a reconnection: the card must be the insertion first connected to. A card taken
    /// out and put back (or another card) is a new insertion: the operation ends before anything is sent to it.
    private func requireSameInsertion() throws {
        guard try context.insertion(in: readerName) == insertion else {
            try? endTransaction()
            throw CardIOError.cardRemoved(reader: readerName)
        }
    }

    /// What ``onBusy`` is told, once per wait.
    private var busyNotice: () -> Void {
        let reader = readerName, timeout = busyTimeout, onBusy = onBusy
        return { onBusy?(reader, timeout) }
    }

    /// Ends a wait that ran out of time: the connection is closed (leaving the card), which ends pcsc-lite's own
    /// waiting loop on it; the next operation connects anew.
    private var cancelWait: () -> Void {
        { [self] in
            SCardDisconnect(handle, MYNA_SCARD_LEAVE_CARD)
            isConnected = false
        }
    }

    /// Runs a PC/SC call that waits for a busy card on a thread of its own, for at most until `deadline`;
    /// `nil` when the time ran out (after `cancel`, which must make the call return).
    private func bounded(_ call: @escaping @Sendable () -> LONG, until deadline: Date, cancel: () -> Void) -> LONG? {
        let wait = BoundedWait(call)
        if let result = wait.result(until: deadline, notice: busyNotice) { return result }
        cancel()
        _ = wait.result(until: Date().addingTimeInterval(2), notice: {})  // the call ends once its handle is closed
        return nil
    }

    /// Connects to `reader` on `context`, waiting for a program that holds the card at most until `deadline`.
    /// pcscd itself waits for the card's transaction to end before it answers a connection, with the context's
    /// lock held: the call runs on a thread of its own, which, when the time runs out, is left to finish and
    /// to close the connection it then gets (it keeps `context` alive until then).
    private static func connect(_ context: PCSCContext, to reader: String, until deadline: Date,
                                notice: () -> Void) throws -> (handle: SCARDHANDLE, activeProtocol: DWORD) {
        let connection = Connection()
        let wait = BoundedWait { [connection] in
            var handle: SCARDHANDLE = 0
            var activeProtocol: DWORD = 0
            let result = SCardConnect(context.handle, reader, MYNA_SCARD_SHARE_SHARED,
                                      MYNA_SCARD_PROTOCOL_T0 | MYNA_SCARD_PROTOCOL_T1, &handle, &activeProtocol)
            if !connection.deliver(handle: handle, activeProtocol: activeProtocol), result == MYNA_SCARD_S_SUCCESS {
                SCardDisconnect(handle, MYNA_SCARD_LEAVE_CARD)  // nobody waits for it any more
            }
            return result
        }
        guard let result = wait.result(until: deadline, notice: notice) else {
            if connection.abandon() { throw CardIOError.cardInUse(reader: reader) }
            // It arrived just now.
            return try connected(wait.result(until: Date().addingTimeInterval(1), notice: {}) ?? MYNA_SCARD_E_TIMEOUT, connection, reader)
        }
        return try connected(result, connection, reader)
    }

    private static func connected(_ result: LONG, _ connection: Connection, _ reader: String) throws -> (handle: SCARDHANDLE, activeProtocol: DWORD) {
        guard result == MYNA_SCARD_S_SUCCESS, let (handle, activeProtocol) = connection.delivered else {
            throw PCSCContext.error(result, function: "SCardConnect", reader: reader)
        }
        return (handle, activeProtocol)
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
        case .cardInUse, .cardReset: return error
        default:
            if !PCSCContext.serviceIsRunning { return .serviceStopped }
            if case .noCard = error { return .cardRemoved(reader: readerName) }
            if case .cardRemoved = error { return error }
            return isCardPresent ? error : .cardRemoved(reader: readerName)
        }
    }
}

/// A PC/SC call on a thread of its own, whose result can be waited for with a deadline.
private final class BoundedWait: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var value: LONG?

    init(_ call: @escaping @Sendable () -> LONG) {
        let thread = Thread { [self] in
            let result = call()
            lock.withLock { value = result }
            done.signal()
        }
        thread.start()
    }

    /// The call's result, or `nil` when `deadline` came first; `notice` is run once when the wait passes a second.
    func result(until deadline: Date, notice: () -> Void) -> LONG? {
        let noticeAt = Date().addingTimeInterval(1)
        if noticeAt < deadline {
            if done.wait(timeout: .now() + noticeAt.timeIntervalSinceNow) == .success { return finished() }
            notice()
        }
        guard done.wait(timeout: .now() + max(0, deadline.timeIntervalSinceNow)) == .success else { return nil }
        return finished()
    }

    private func finished() -> LONG? {
        done.signal()  // later waits return at once
        return lock.withLock { value }
    }
}

/// The protocol a reconnection negotiated, handed back from the thread that made it.
private final class NegotiatedProtocol: @unchecked Sendable {
    var value: DWORD = 0
}

/// The outcome of a connection attempt, handed from the thread that waits for pcscd to the caller — or, once
/// the caller has stopped waiting, left to that thread to close.
private final class Connection: @unchecked Sendable {
    private let lock = NSLock()
    private var abandoned = false
    private(set) var delivered: (SCARDHANDLE, DWORD)?

    /// Hands over the connection; `false` when nobody waits for it any more.
    func deliver(handle: SCARDHANDLE, activeProtocol: DWORD) -> Bool {
        lock.withLock {
            guard !abandoned else { return false }
            delivered = (handle, activeProtocol)
            return true
        }
    }

    /// Stops waiting; `false` when the connection had been delivered already.
    func abandon() -> Bool {
        lock.withLock {
            guard delivered == nil else { return false }
            abandoned = true
            return true
        }
    }
}
