import APDU
import CardIO
import Foundation

/// Keeps a card from hanging a command: each exchange with the card may take at most `--timeout`; past it
/// the command ends with ``CardTimeout``.
///
/// `SCardTransmit` blocks without a limit and cannot be interrupted from another thread, so the watchdog does
/// not wait for it to return: its own thread reports the failure (message, JSON with `--json`, exit code) and
/// ends the process. pcscd then drops the connection and resets the card, as for any program that goes away
/// (docs/card-facts.md). The limit is per exchange, not per command, so a batch of many signatures is never
/// cut short; a card that answers, however slowly, is bounded by the number of commands the parsers let it
/// cause. Time at a PIN prompt or spent hashing files is not card time.
///
/// Taking the card (connecting, `SCardBeginTransaction`, reconnecting) bounds its own wait for another
/// program (``PCSCCard/busyTimeout``) and fails with `card-in-use`; the watchdog covers it too, a little
/// later, in case a call that should have given up does not return.
final class CardWatchdog: @unchecked Sendable {
    /// What a call waits for, and so what to report when it takes too long.
    enum Wait { case card, otherProgram }

    /// What a bounded wait for another program may take past its own limit: ``PCSCCard`` gives a call it
    /// gave up on two seconds to return.
    static let busyGrace: Double = 3

    private let cardLimit: Double
    private let busyLimit: Double
    private let reader: String
    private let condition = NSCondition()
    private var current: (wait: Wait, since: Double)?
    private var stopped = false

    /// Starts watching the card in `reader`, allowing each exchange `seconds`, and each wait for another
    /// program `busySeconds` (the card's own bound) and ``busyGrace``.
    init(seconds: Double, busySeconds: Double, reader: String) {
        cardLimit = seconds
        busyLimit = busySeconds + Self.busyGrace
        self.reader = reader
        let thread = Thread { [self] in watch() }
        thread.name = "card watchdog"
        thread.start()
    }

    /// Runs `body`, a call that waits for `wait`, under the watchdog.
    func guarding<T>(_ wait: Wait, _ body: () throws -> T) rethrows -> T {
        condition.withLock {
            current = (wait, Self.now())
            condition.signal()
        }
        defer { condition.withLock { current = nil } }
        return try body()
    }

    /// Ends the watchdog's thread.
    func stop() {
        condition.withLock {
            stopped = true
            condition.signal()
        }
    }

    private func watch() {
        condition.lock()
        defer { condition.unlock() }
        while !stopped {
            guard let current else {
                condition.wait()
                continue
            }
            let limit = current.wait == .card ? cardLimit : busyLimit
            let left = limit - (Self.now() - current.since)
            if left <= 0 {
                Failure.end(with: CardTimeout(reader: reader, seconds: limit, waitingFor: current.wait))
            }
            _ = condition.wait(until: Date(timeIntervalSinceNow: left))
        }
    }

    /// Seconds on a clock that never jumps.
    private static func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}

/// The card connection every command uses: each call that waits on the card goes through the watchdog.
final class WatchedCard: CardTransport {
    let card: PCSCCard
    let watchdog: CardWatchdog

    init(_ card: PCSCCard, watchdog: CardWatchdog) {
        self.card = card
        self.watchdog = watchdog
    }

    var readerName: String { card.readerName }
    var atr: [UInt8] { card.atr }
    var isCardPresent: Bool { card.isCardPresent }

    func transmitRaw(_ command: [UInt8]) throws -> [UInt8] {
        try watchdog.guarding(.card) { try card.transmitRaw(command) }
    }

    func beginTransaction() throws {
        try watchdog.guarding(.otherProgram) { try card.beginTransaction() }
    }

    func endTransaction() throws {
        try watchdog.guarding(.card) { try card.endTransaction() }
    }

    func endTransactionResettingCard() throws {
        try watchdog.guarding(.card) { try card.endTransactionResettingCard() }
    }
}

/// The card, or another program holding it, kept a command waiting longer than `--timeout` allows.
struct CardTimeout: Error, CustomStringConvertible {
    let reader: String
    let seconds: Double
    let waitingFor: CardWatchdog.Wait

    var description: String {
        let limit = "\(seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds))-second limit"
        return switch waitingFor {
        case .card:
            "the card in reader \"\(reader)\" stopped answering: the command gave up at its \(limit) (--timeout); "
                + "take the card out, insert it again and retry"
        case .otherProgram:
            "another program kept the card in reader \"\(reader)\" busy past the \(limit): close it and try again"
        }
    }
}
