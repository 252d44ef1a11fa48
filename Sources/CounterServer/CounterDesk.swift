import CardIO
import CardSession
import Foundation

/// The counter desk: which card is on screen, what is known of it, and every page following it. The reader watcher
/// tells it what changed in the readers; the page asks it to unlock the card face. It holds what was read from the
/// card in memory only, and forgets it the moment the card leaves the reader.
actor CounterDesk {
    private var state = PageState.empty(.noReader)
    private var subscribers: [UUID: AsyncStream<String>.Continuation] = [:]
    private var readers = ReaderStates.empty
    /// The reader whose card is on screen.
    private var focus: String?
    /// Counts the cards put on screen: an operation started for one card never changes the screen of the next.
    private var generation = 0
    /// Card operations under way (the worker runs them one at a time; the page may start one only when none is).
    private var operations = 0
    private var closed = false
    private let worker: CardWorker
    private let requestedReader: String?

    init(worker: CardWorker, reader: String?) {
        self.worker = worker
        self.requestedReader = reader
    }

    // MARK: Pages following the desk

    /// A stream of server-sent-event frames: the current state at once, then every change, and a comment now and
    /// then so that a closed page is noticed.
    func subscribe() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(8))
        guard !closed else {
            continuation.finish()
            return stream
        }
        let id = UUID()
        subscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        continuation.yield(Self.frame(state))
        return stream
    }

    private func unsubscribe(_ id: UUID) {
        subscribers[id] = nil
    }

    /// Sends a keep-alive comment to every page.
    func heartbeat() {
        for continuation in subscribers.values { continuation.yield(": keep-alive\n\n") }
    }

    /// Ends every page's stream (the server is stopping).
    func close() {
        closed = true
        for continuation in subscribers.values { continuation.finish() }
        subscribers = [:]
    }

    /// The state as a page sees it.
    var current: PageState { state }

    private func publish() {
        state.summary = Summary.of(state.card, face: state.face)
        let frame = Self.frame(state)
        for continuation in subscribers.values { continuation.yield(frame) }
    }

    private static func frame(_ state: PageState) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(state)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return "data: \(json)\n\n"
    }

    // MARK: Readers

    /// PC/SC cannot be reached: nothing can be shown.
    func serviceUnavailable() {
        readers = .empty
        forgetCard(showing: .noService)
        publish()
    }

    /// The readers changed: a card taken out clears the screen at once; a card put in is read.
    func readersChanged(_ new: ReaderStates) {
        let events = ReaderEvent.changes(from: readers, to: new)
        readers = new
        if let focus, events.contains(where: { $0.reader == focus && Self.endsCard($0) }) {
            forgetCard(showing: .insertCard)
        }
        if focus == nil {
            if let reader = chooseReader(), new.readers.first(where: { $0.name == reader })?.hasCard == true {
                read(reader)
            } else {
                state = .empty(new.readers.isEmpty ? .noReader : .insertCard)
            }
        }
        publish()
    }

    private static func endsCard(_ event: ReaderEvent) -> Bool {
        switch event {
        case .cardRemoved, .readerRemoved: true
        case .cardInserted, .readerAdded: false
        }
    }

    /// The reader to follow: the one asked for (exact name, index, or a unique part of its name), else the first
    /// holding a card.
    private func chooseReader() -> String? {
        let names = readers.readers.map(\.name)
        guard let requested = requestedReader, !requested.isEmpty else { return readers.readers.first(where: \.hasCard)?.name }
        if names.contains(requested) { return requested }
        if let index = Int(requested), names.indices.contains(index) { return names[index] }
        let matches = names.filter { $0.lowercased().contains(requested.lowercased()) }
        return matches.count == 1 ? matches[0] : nil
    }

    /// Drops everything read from the card.
    private func forgetCard(showing phase: PageState.Phase) {
        focus = nil
        generation += 1
        state = .empty(phase)
    }

    /// Puts the card in `reader` on screen and reads what needs no PIN.
    private func read(_ reader: String) {
        focus = reader
        generation += 1
        let card = generation
        state = .empty(.reading, reader: reader)
        operations += 1
        Task {
            let result: Result<CardOverview, any Error>
            do { result = .success(try await worker.inspect(reader)) } catch { result = .failure(error) }
            self.finishReading(card, result)
        }
    }

    private func finishReading(_ card: Int, _ result: Result<CardOverview, any Error>) {
        operations -= 1
        guard card == generation else { return }
        state.phase = .card
        switch result {
        case .success(let overview): state.card = overview
        case .failure(let error): state.notice = Notice(kind: "card-error", detail: "\(error)")
        }
        publish()
    }

    // MARK: Unlocking

    /// How an unlock request ended, for the page's POST.
    enum UnlockReply: Sendable {
        /// The card face was read (the verdicts are in the state).
        case unlocked
        /// The card refused or the PIN was not sent; the notice says why.
        case refused(Notice)
        /// No card on screen, or another card operation is under way.
        case notNow(Notice)
    }

    /// The page sent a form that cannot make a PIN: nothing was sent to the card.
    func invalidForm(_ reason: String) {
        guard state.card != nil else { return }
        state.notice = Notice(kind: "pin-invalid", detail: reason)
        publish()
    }

    /// Opens the card face with `pin` (one card operation; refused while another runs).
    func unlock(kind: PINKind, pin: PINHandOver) async -> UnlockReply {
        guard let reader = focus, state.card != nil else { return .notNow(Notice(kind: "no-card")) }
        guard operations == 0, state.phase == .card else { return .notNow(Notice(kind: "busy")) }
        operations += 1
        let card = generation
        state.phase = .unlocking
        state.notice = nil
        publish()
        let result: Result<CardWorker.Unlocked, any Error>
        do { result = .success(try await worker.unlock(reader, kind: kind, pin: pin)) } catch { result = .failure(error) }
        operations -= 1
        guard card == generation else { return .notNow(Notice(kind: "card-removed")) }
        state.phase = .card
        switch result {
        case .success(let unlocked):
            state.card?.pins = unlocked.pins
            if let face = unlocked.face { state.face = face }
            state.notice = unlocked.notice
        case .failure(let error):
            state.notice = Notice(kind: "card-error", detail: "\(error)")
        }
        publish()
        if let notice = state.notice { return .refused(notice) }
        return .unlocked
    }
}
