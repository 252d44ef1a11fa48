import CPCSCLite
import Foundation

/// A reader as PC/SC lists it, and whether a card is in it.
public struct ReaderInfo: Equatable, Sendable {
    /// The reader's PC/SC name.
    public let name: String
    /// Whether a card is present.
    public let hasCard: Bool
    /// The card's answer to reset, when a card is present.
    public let atr: [UInt8]?
    /// Whether another program holds the card exclusively.
    public let isExclusivelyInUse: Bool
}

/// One insertion of a card in a reader, as pcscd counts them (see ``PCSCContext``'s `insertion(in:)`).
struct CardInsertion: Equatable {
    /// pcscd's count of card insertions and removals in the reader.
    var events: DWORD
    /// The card's answer to reset.
    var atr: [UInt8]
}

/// A connection to the PC/SC service (pcscd): lists readers, waits for cards, connects to them.
public final class PCSCContext: @unchecked Sendable {
    let handle: SCARDCONTEXT
    /// Set once ``waitCanceller`` cancels: from then on every wait of this context returns at once.
    let waitCancelled = CancelFlag()

    /// Connects to the PC/SC service.
    /// - Throws: ``CardIOError/serviceUnavailable`` when pcscd is not running.
    public init() throws {
        var context: SCARDCONTEXT = 0
        let result = SCardEstablishContext(MYNA_SCARD_SCOPE_SYSTEM, nil, nil, &context)
        guard result == MYNA_SCARD_S_SUCCESS else {
            throw PCSCContext.error(result, function: "SCardEstablishContext", reader: "")
        }
        handle = context
    }

    deinit { SCardReleaseContext(handle) }

    /// The names of all readers PC/SC knows, in its order. Empty when there are none.
    public func readerNames() throws -> [String] {
        var length: DWORD = 0
        var result = SCardListReaders(handle, nil, nil, &length)
        if result == MYNA_SCARD_E_NO_READERS_AVAILABLE { return [] }
        guard result == MYNA_SCARD_S_SUCCESS else { throw PCSCContext.error(result, function: "SCardListReaders", reader: "") }
        var buffer = [CChar](repeating: 0, count: Int(length))
        result = SCardListReaders(handle, nil, &buffer, &length)
        if result == MYNA_SCARD_E_NO_READERS_AVAILABLE { return [] }
        guard result == MYNA_SCARD_S_SUCCESS else { throw PCSCContext.error(result, function: "SCardListReaders", reader: "") }
        return buffer.split(separator: 0).map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    }

    /// Every reader with its card state, read without waiting.
    public func readers() throws -> [ReaderInfo] {
        try readerNames().map { name in try state(of: name, timeoutMilliseconds: 0, currentState: MYNA_SCARD_STATE_UNAWARE).info }
    }

    /// Picks a reader by exact name, by index ("0", "1", …) or by a case-insensitive part of its name;
    /// with no request, the first reader holding a card, else the first reader.
    /// - Throws: ``CardIOError/ambiguousReader(requested:matches:)`` when a part of a name matches several readers.
    public func resolveReader(_ requested: String?) throws -> String {
        let names = try readerNames()
        guard !names.isEmpty else { throw CardIOError.noReaders }
        guard let requested, !requested.isEmpty else {
            return try readers().first(where: \.hasCard)?.name ?? names[0]
        }
        if names.contains(requested) { return requested }
        if let index = Int(requested), names.indices.contains(index) { return names[index] }
        let matches = names.filter { $0.lowercased().contains(requested.lowercased()) }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 { throw CardIOError.ambiguousReader(requested: requested, matches: matches) }
        throw CardIOError.readerNotFound(requested: requested, available: names)
    }

    /// Finds the reader to use and waits, up to `timeout` seconds (0: not at all), until a card is in it.
    /// With a `requested` reader (see ``resolveReader(_:)``) only that one counts, and it may be plugged in
    /// while waiting; without one, the first reader that holds a card — so a card can go into any reader.
    /// - Returns: the reader's name.
    /// - Throws: ``CardIOError/noCard(reader:)`` when not waiting and the reader is empty,
    ///   ``CardIOError/timedOutWaitingForCard(reader:seconds:)`` when the time runs out, and
    ///   ``CardIOError/noReaders`` or ``CardIOError/readerNotFound(requested:available:)`` when the
    ///   reader never appeared.
    public func awaitCard(in requested: String?, timeout: Double) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let waitingFor: String
            do {
                if let requested, !requested.isEmpty {
                    let name = try resolveReader(requested)
                    if try state(of: name, timeoutMilliseconds: 0, currentState: MYNA_SCARD_STATE_UNAWARE).info.hasCard { return name }
                    waitingFor = name
                } else {
                    let all = try readers()
                    if let holding = all.first(where: \.hasCard) { return holding.name }
                    guard let first = all.first else { throw CardIOError.noReaders }
                    waitingFor = all.count == 1 ? first.name : "any reader"
                    if timeout <= 0 { throw CardIOError.noCard(reader: first.name) }
                }
            } catch let error as CardIOError {
                switch error {
                case .noReaders, .readerNotFound: if Date() >= deadline { throw error }
                default: throw error
                }
                Thread.sleep(forTimeInterval: 0.2)
                continue
            }
            if timeout <= 0 { throw CardIOError.noCard(reader: waitingFor) }
            if Date() >= deadline { throw CardIOError.timedOutWaitingForCard(reader: waitingFor, seconds: timeout) }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    /// Connects to the card in `reader` (T=1 or T=0, shared; each operation then takes an exclusive transaction).
    /// While another program holds the card in a transaction, connecting waits for it, at most `busyTimeout`
    /// seconds; `onBusy` is told once when the wait passes a second (see ``PCSCCard/onBusy``).
    /// - Throws: ``CardIOError/cardInUse(reader:)`` when the card was not free in time.
    public func connect(to reader: String, busyTimeout: Double = PCSCCard.defaultBusyTimeout,
                        onBusy: (@Sendable (String, Double) -> Void)? = nil) throws -> PCSCCard {
        try PCSCCard(reader: reader, busyTimeout: busyTimeout, onBusy: onBusy)
    }

    /// Which insertion of a card the reader holds: pcsc-lite counts every insertion and removal of a card in the
    /// upper 16 bits of the reader's event state, so the count and the ATR change whenever the card is taken out,
    /// even when the same or another card goes back in. `nil` when the reader is empty.
    func insertion(in reader: String) throws -> CardInsertion? {
        let (info, event) = try state(of: reader, timeoutMilliseconds: 0, currentState: MYNA_SCARD_STATE_UNAWARE)
        guard info.hasCard, let atr = info.atr else { return nil }
        return CardInsertion(events: event >> 16, atr: atr)
    }

    func state(of reader: String, timeoutMilliseconds: DWORD, currentState: DWORD) throws -> (info: ReaderInfo, eventState: DWORD) {
        try reader.withCString { namePointer in
            var readerState = SCARD_READERSTATE()
            readerState.szReader = namePointer
            readerState.dwCurrentState = currentState
            let result = SCardGetStatusChange(handle, timeoutMilliseconds, &readerState, 1)
            if result == MYNA_SCARD_E_TIMEOUT && timeoutMilliseconds == 0 {
                // No change against an UNAWARE state cannot happen; treat as unchanged.
            } else if result != MYNA_SCARD_S_SUCCESS {
                throw PCSCContext.error(result, function: "SCardGetStatusChange", reader: reader)
            }
            let event = readerState.dwEventState
            let hasCard = event & MYNA_SCARD_STATE_PRESENT != 0 && event & MYNA_SCARD_STATE_MUTE == 0
            let atr = withUnsafeBytes(of: readerState.rgbAtr) { Array($0.prefix(Int(readerState.cbAtr))) }
            let info = ReaderInfo(
                name: reader,
                hasCard: hasCard,
                atr: hasCard ? atr : nil,
                isExclusivelyInUse: event & MYNA_SCARD_STATE_EXCLUSIVE != 0
            )
            return (info, event & ~DWORD(SCARD_STATE_CHANGED))
        }
    }

    /// Whether the PC/SC service answers now (a new context can be established).
    public static var serviceIsRunning: Bool {
        var context: SCARDCONTEXT = 0
        guard SCardEstablishContext(MYNA_SCARD_SCOPE_SYSTEM, nil, nil, &context) == MYNA_SCARD_S_SUCCESS else { return false }
        SCardReleaseContext(context)
        return true
    }

    /// Translates a PC/SC result code into a ``CardIOError``.
    static func error(_ code: LONG, function: String, reader: String) -> CardIOError {
        switch code {
        case MYNA_SCARD_E_NO_SERVICE, MYNA_SCARD_E_SERVICE_STOPPED: return .serviceUnavailable
        case MYNA_SCARD_E_NO_READERS_AVAILABLE: return .noReaders
        case MYNA_SCARD_E_UNKNOWN_READER, MYNA_SCARD_E_READER_UNAVAILABLE:
            return .readerNotFound(requested: reader, available: [])
        case MYNA_SCARD_E_NO_SMARTCARD: return .noCard(reader: reader)
        case MYNA_SCARD_W_REMOVED_CARD: return .cardRemoved(reader: reader)
        case MYNA_SCARD_W_RESET_CARD: return .cardReset(reader: reader)
        case MYNA_SCARD_W_UNRESPONSIVE_CARD, MYNA_SCARD_W_UNPOWERED_CARD: return .cardUnresponsive(reader: reader)
        case MYNA_SCARD_E_SHARING_VIOLATION: return .cardInUse(reader: reader)
        case MYNA_SCARD_E_PROTO_MISMATCH: return .protocolMismatch(reader: reader)
        case MYNA_SCARD_E_NO_ACCESS: return .accessDenied(reader: reader)
        default:
            let message = String(cString: pcsc_stringify_error(code))
            return .pcsc(code: Int64(code), function: function, message: message)
        }
    }
}
