import CPCSCLite
import Foundation

/// Every reader PC/SC knows at one moment, with its card state: what ``PCSCContext/waitForChange(after:timeout:)``
/// waits to differ from.
public struct ReaderStates: Equatable, Sendable {
    /// No readers at all: compared with it, every reader and card present is an event.
    public static let empty = ReaderStates(readers: [], eventStates: [:])

    /// The readers, in PC/SC's order.
    public let readers: [ReaderInfo]
    /// PC/SC's raw event state per reader (flags, and in the upper 16 bits the reader's count of card
    /// insertions and removals), handed back to the next wait so that it returns only on a change.
    let eventStates: [String: UInt32]

    /// How many times a card went in or out of `reader` since pcscd started, as PC/SC counts them.
    func cardEventCount(_ reader: String) -> UInt32 {
        (eventStates[reader] ?? 0) >> 16
    }
}

/// Something that happened in the readers, as ``ReaderEvent/changes(from:to:)`` tells it.
public enum ReaderEvent: Equatable, Sendable {
    /// A reader was plugged in.
    case readerAdded(reader: String)
    /// A reader was unplugged (a card in it is reported removed first).
    case readerRemoved(reader: String)
    /// A card was inserted; its answer to reset.
    case cardInserted(reader: String, atr: [UInt8])
    /// A card was taken out; the answer to reset it had.
    case cardRemoved(reader: String, atr: [UInt8])

    /// The reader the event is about.
    public var reader: String {
        switch self {
        case .readerAdded(let reader), .readerRemoved(let reader), .cardInserted(let reader, _), .cardRemoved(let reader, _): reader
        }
    }

    /// The events that lead from `old` to `new`, reader by reader in `old`'s then `new`'s order. A card taken out
    /// and put back (or swapped) between the two is reported as removed and inserted.
    public static func changes(from old: ReaderStates, to new: ReaderStates) -> [ReaderEvent] {
        var events: [ReaderEvent] = []
        let newByName = Dictionary(new.readers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let oldNames = Set(old.readers.map(\.name))
        for before in old.readers {
            guard let after = newByName[before.name] else {
                if before.hasCard { events.append(.cardRemoved(reader: before.name, atr: before.atr ?? [])) }
                events.append(.readerRemoved(reader: before.name))
                continue
            }
            let swapped = before.hasCard && after.hasCard
                && (before.atr != after.atr || old.cardEventCount(before.name) != new.cardEventCount(after.name))
            if before.hasCard && (!after.hasCard || swapped) { events.append(.cardRemoved(reader: before.name, atr: before.atr ?? [])) }
            if after.hasCard && (!before.hasCard || swapped) { events.append(.cardInserted(reader: after.name, atr: after.atr ?? [])) }
        }
        for after in new.readers where !oldNames.contains(after.name) {
            events.append(.readerAdded(reader: after.name))
            if after.hasCard { events.append(.cardInserted(reader: after.name, atr: after.atr ?? [])) }
        }
        return events
    }
}

/// Stops the waits of one ``PCSCContext`` for good: the one running on another thread (`SCardCancel`) and every
/// later one.
public struct PCSCWaitCanceller: Sendable {
    let handle: SCARDCONTEXT
    let flag: CancelFlag

    /// Makes the context's waits return `nil`, now and from now on. Safe from any thread (a signal handler's queue).
    public func cancel() {
        flag.set()
        _ = SCardCancel(handle)
        // A wait that had checked the flag but not yet reached pcscd misses the first cancel: send another.
        let handle = handle
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { _ = SCardCancel(handle) }
    }
}

/// A flag set once from any thread.
final class CancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

extension PCSCContext {
    /// PC/SC's name for "the list of readers changed" (pcsc-lite and Windows alike).
    private static let plugAndPlayReader = "\\\\?PnP?\\Notification"

    /// Every reader and its card state now, without waiting.
    public func readerStates() throws -> ReaderStates {
        var readers: [ReaderInfo] = []
        var eventStates: [String: UInt32] = [:]
        for name in try readerNames() {
            do {
                let (info, event) = try state(of: name, timeoutMilliseconds: 0, currentState: MYNA_SCARD_STATE_UNAWARE)
                readers.append(info)
                eventStates[name] = UInt32(truncatingIfNeeded: event)
            } catch CardIOError.readerNotFound {
                continue  // unplugged between the listing and the look: it is simply gone
            }
        }
        return ReaderStates(readers: readers, eventStates: eventStates)
    }

    /// Ends this context's waits from another thread (see ``PCSCWaitCanceller``).
    public var waitCanceller: PCSCWaitCanceller { PCSCWaitCanceller(handle: handle, flag: waitCancelled) }

    /// Blocks, without polling, until a reader is plugged in or out or a card state differs from `states`
    /// (`SCardGetStatusChange` on every reader and on PC/SC's plug-and-play notification), or until `timeout`
    /// seconds have passed (`nil`: no limit), or until ``waitCanceller`` cancels it (or has cancelled it before).
    /// - Returns: the new states (compare with ``ReaderEvent/changes(from:to:)``), or `nil` after a timeout or a cancel.
    /// - Throws: ``CardIOError/serviceUnavailable`` when pcscd stops, or another PC/SC failure.
    public func waitForChange(after states: ReaderStates, timeout: Double?) throws -> ReaderStates? {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var current = states
        while !waitCancelled.isSet {
            let milliseconds: DWORD
            if let deadline {
                let left = deadline.timeIntervalSinceNow
                if left <= 0 { return nil }
                milliseconds = DWORD(min(left * 1000, Double(UInt32.max - 1)).rounded(.up))
            } else {
                milliseconds = MYNA_INFINITE
            }
            let result = waitOnce(current, milliseconds: milliseconds)
            switch result {
            case MYNA_SCARD_S_SUCCESS, MYNA_SCARD_E_UNKNOWN_READER, MYNA_SCARD_E_READER_UNAVAILABLE: break
            case MYNA_SCARD_E_TIMEOUT, MYNA_SCARD_E_CANCELLED: return nil
            default: throw PCSCContext.error(result, function: "SCardGetStatusChange", reader: "")
            }
            let fresh = try readerStates()
            if fresh != current { return fresh }
            // Woken by something that left every state as it was: wait again from the same states.
        }
        return nil
    }

    /// One `SCardGetStatusChange` over `states`' readers and the plug-and-play notification.
    private func waitOnce(_ states: ReaderStates, milliseconds: DWORD) -> LONG {
        let names = states.readers.map(\.name) + [Self.plugAndPlayReader]
        let cNames = names.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        var readerStates = [SCARD_READERSTATE](repeating: SCARD_READERSTATE(), count: names.count)
        for index in names.indices {
            readerStates[index].szReader = UnsafePointer(cNames[index])
            readerStates[index].dwCurrentState = DWORD(states.eventStates[names[index]] ?? UInt32(MYNA_SCARD_STATE_UNAWARE))
        }
        // pcsc-lite compares the plug-and-play entry's upper 16 bits with its reader count.
        readerStates[names.count - 1].dwCurrentState = DWORD(states.readers.count) << 16
        return SCardGetStatusChange(handle, milliseconds, &readerStates, DWORD(readerStates.count))
    }
}
