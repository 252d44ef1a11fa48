import APDU
import CardIO

/// How a card operation gets a PIN, once the retry counter allows a try.
public struct PINEntry {
    /// Whether getting the PIN may take a while: a person typing at a prompt, a pipe not written yet, files
    /// still being hashed. The card is then free meanwhile — no transaction is held while the PIN is obtained
    /// — and it is taken again, and found to be the same card, before the PIN is sent.
    public var mayWait: Bool
    /// Gives the PIN of `kind`; `status` is the retry counter just read (``PINStatus/remaining(_:)`` with 1 at
    /// the last try, for a warning).
    public var obtain: (_ kind: PINKind, _ status: PINStatus) throws -> PINCode

    /// A PIN entry; `mayWait` says whether `obtain` may take a while.
    public init(mayWait: Bool, obtain: @escaping (_ kind: PINKind, _ status: PINStatus) throws -> PINCode) {
        self.mayWait = mayWait
        self.obtain = obtain
    }

    /// A PIN already in hand. It is still sent only after the guard.
    public static func inHand(_ pin: PINCode) -> PINEntry {
        PINEntry(mayWait: false) { _, _ in pin }
    }

    /// The same entry, with `step` run after the PIN is obtained and before the card is taken again (e.g. waiting
    /// until files are hashed); the entry may then wait.
    public func then(_ step: @escaping () throws -> Void) -> PINEntry {
        let obtain = self.obtain
        return PINEntry(mayWait: true) { kind, status in
            let pin = try obtain(kind, status)
            try step()
            return pin
        }
    }
}

/// A card operation in progress: the card's transaction is held from ``CardSession/beginOperation()`` (or
/// ``CardSession/beginOperation(verifying:force:entry:prepare:)``) until ``end()``, so that no other program
/// comes between its commands.
///
/// Ending it logs out every PIN sent during it: the PIN's applet is selected again, which clears its security
/// status — as OpenSC's JPKI driver logs out (docs/card-facts.md) — and leaves the card to other programs as it
/// was. Where that fails, the transaction ends with a reset of the card instead. A program killed inside an
/// operation has its card reset by pcscd. A card reset by another program between two operations is taken up
/// again by the transport (``PCSCCard``), and each operation starts from its beginning: it selects its applet.
public final class CardOperation {
    /// The session the operation's commands go through; applet sessions made from it share the operation.
    public let session: CardSession
    /// The PIN the card accepted in this operation, kept (in a ``PINCode``) until the operation ends: the card has
    /// proven it right, so it may be sent again without risking a try, e.g. when the card drops the security status
    /// after a signature. `nil` when none was sent.
    public internal(set) var acceptedPIN: PINCode?
    private var ended = false

    init(session: CardSession) throws {
        self.session = session
        if session.state.openOperations == 0 {
            try session.transport.beginTransaction()
            session.state.answeredByShortIdentifier = []
        }
        session.state.openOperations += 1
    }

    deinit { end() }

    /// Logs out the PINs sent during the operation and ends its transaction (with a reset of the card when the
    /// log-out failed). Inside another operation, only the outermost one ends. Safe to call twice.
    public func end() {
        guard !ended else { return }
        ended = true
        acceptedPIN = nil
        let state = session.state
        state.openOperations -= 1
        guard state.openOperations == 0 else { return }
        if session.logOut() {
            try? session.transport.endTransaction()
        } else {
            try? session.transport.endTransactionResettingCard()
        }
        state.sentPINs = []
        state.answeredByShortIdentifier = []
    }
}

extension CardSession {
    /// Begins a card operation: takes the card's transaction (see ``CardOperation``). End it with
    /// ``CardOperation/end()``; ``operation(_:)`` does both around a closure.
    public func beginOperation() throws -> CardOperation {
        try CardOperation(session: self)
    }

    /// Runs `body` as one card operation: inside one transaction, logging out any PIN sent during it at the end.
    public func operation<T>(_ body: () throws -> T) throws -> T {
        let operation = try beginOperation()
        defer { operation.end() }
        return try body()
    }

    /// Begins a card operation in which the PIN of `kind` is verified with the guard, and returns it open, with
    /// the PIN's applet selected: end it with ``CardOperation/end()``.
    ///
    /// The guard: the retry counter is read first; a blocked PIN, one that is not set and the last try (unless
    /// `force`) are refused before the PIN is obtained; the PIN is checked against its kind's rules before it is
    /// sent. When `entry` may wait, the card is not held meanwhile: a first operation selects the applet, runs
    /// `prepare` (what must be known before a PIN is asked for; it must leave the applet selected) and reads the
    /// counter; the PIN is obtained with no transaction held; the operation returned selects the applet again and
    /// reads the counter again — another program may have tried a PIN meanwhile: then nothing is sent
    /// (``CardSessionError/counterChanged(_:_:)``) — and sends the PIN. Otherwise a single operation does it all.
    public func beginOperation(verifying kind: PINKind, force: Bool, entry: PINEntry,
                               prepare: () throws -> Void = {}) throws -> CardOperation {
        var pin: PINCode?
        var shown: PINStatus?
        for _ in 0..<2 {
            if entry.mayWait && pin == nil {
                let status = try operation {
                    try select(kind.applet)
                    try prepare()
                    return try guardTry(kind, force: force)
                }
                if status != .verified {
                    pin = try kind.prepared(try entry.obtain(kind, status))
                    shown = status
                }
            }
            let operation = try beginOperation()
            do {
                try select(kind.applet)
                if !entry.mayWait { try prepare() }
                let status = try guardTry(kind, force: force)
                if status == .verified { return operation }  // nothing to send
                let ready: PINCode
                if let pin {
                    // The person decided (and was warned) on the counter as it was before: not if it went down since.
                    if let before = shown?.triesLeft, let now = status.triesLeft, now < before {
                        throw CardSessionError.counterChanged(kind, status)
                    }
                    ready = pin
                } else if entry.mayWait {
                    // Verified when first read, but not any more: ask for it with the card free.
                    operation.end()
                    continue
                } else {
                    ready = try kind.prepared(try entry.obtain(kind, status))
                }
                try sendVerify(ready, kind: kind)
                operation.acceptedPIN = ready
                return operation
            } catch {
                operation.end()
                throw error
            }
        }
        throw CardSessionError.pinRequired(kind, during: "verifying the \(kind.displayName)")
    }

    /// Runs `body` in a card operation in which the PIN of `kind` is verified with the guard (see
    /// ``beginOperation(verifying:force:entry:prepare:)``), with the PIN's applet selected.
    public func withPIN<T>(_ kind: PINKind, force: Bool, entry: PINEntry, prepare: () throws -> Void = {},
                           _ body: () throws -> T) throws -> T {
        let operation = try beginOperation(verifying: kind, force: force, entry: entry, prepare: prepare)
        defer { operation.end() }
        return try body()
    }

    /// Changes a PIN: the current PIN comes from `entry`, with the guard, and `new` is called right after it (with
    /// the card free when the entry may wait); a new PIN that breaks the rules (``PINKind/preparedNew(_:)``) is
    /// refused before anything is sent. Then VERIFY of the current PIN and CHANGE REFERENCE DATA, in one operation.
    public func changePIN(_ kind: PINKind, force: Bool, entry: PINEntry, new: @escaping () throws -> PINCode) throws {
        var newPIN: PINCode?
        let withNew = PINEntry(mayWait: entry.mayWait) { kind, status in
            let current = try entry.obtain(kind, status)
            newPIN = try kind.preparedNew(try new())
            return current
        }
        try withPIN(kind, force: force, entry: withNew) {
            // The card said the PIN was verified already, so the new one was not asked for: nothing to change to.
            guard let newPIN else { throw CardSessionError.pinRequired(kind, during: "changing the \(kind.displayName)") }
            try changeReferenceData(kind, to: newPIN)
        }
    }

    /// Logs out every PIN sent in this operation by selecting its applet again, which clears the applet's
    /// security status. `false` when that could not be done (the operation then resets the card).
    func logOut() -> Bool {
        var cleared = true
        for applet in Set(state.sentPINs.map(\.applet)) {
            do {
                if try !transport.transmit(.select(applet: applet.aid)).statusWord.isSuccess { cleared = false }
            } catch {
                cleared = false
            }
        }
        return cleared
    }
}
