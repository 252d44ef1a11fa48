@testable import CardIO
import Testing

/// How changes in PC/SC's reader states become events for `watch` and the counter page.
@Suite("Reader events")
struct ReaderEventTests {
    private let atr: [UInt8] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14]

    /// A reader state as PC/SC reports it; `events` is its count of card insertions and removals.
    private func reader(_ name: String, card: [UInt8]? = nil, events: UInt32 = 0) -> (ReaderInfo, UInt32) {
        (ReaderInfo(name: name, hasCard: card != nil, atr: card, isExclusivelyInUse: false), events << 16 | (card == nil ? 0x10 : 0x20))
    }

    private func states(_ readers: (ReaderInfo, UInt32)...) -> ReaderStates {
        ReaderStates(readers: readers.map(\.0), eventStates: Dictionary(uniqueKeysWithValues: readers.map { ($0.0.name, $0.1) }))
    }

    @Test("from nothing, every reader is added and every card in one is inserted")
    func initialState() {
        let now = states(reader("A", card: atr), reader("B"))
        #expect(ReaderEvent.changes(from: .empty, to: now) == [
            .readerAdded(reader: "A"), .cardInserted(reader: "A", atr: atr), .readerAdded(reader: "B"),
        ])
    }

    @Test("a card put in and taken out")
    func insertAndRemove() {
        let empty = states(reader("A", events: 4)), full = states(reader("A", card: atr, events: 5))
        #expect(ReaderEvent.changes(from: empty, to: full) == [.cardInserted(reader: "A", atr: atr)])
        #expect(ReaderEvent.changes(from: full, to: empty) == [.cardRemoved(reader: "A", atr: atr)])
    }

    @Test("a card swapped between two looks is removed and inserted, though the ATR is the same")
    func swapped() {
        let before = states(reader("A", card: atr, events: 5)), after = states(reader("A", card: atr, events: 7))
        #expect(ReaderEvent.changes(from: before, to: after) == [.cardRemoved(reader: "A", atr: atr), .cardInserted(reader: "A", atr: atr)])
    }

    @Test("a reader unplugged with a card in it: the card goes first")
    func readerUnplugged() {
        let before = states(reader("A"), reader("B", card: atr)), after = states(reader("A"))
        #expect(ReaderEvent.changes(from: before, to: after) == [.cardRemoved(reader: "B", atr: atr), .readerRemoved(reader: "B")])
    }

    @Test("a reader plugged in with a card already in it")
    func readerPluggedIn() {
        let before = states(reader("A")), after = states(reader("A"), reader("NFC", card: [0x3B, 0x88, 0x80, 0x01]))
        #expect(ReaderEvent.changes(from: before, to: after) == [.readerAdded(reader: "NFC"), .cardInserted(reader: "NFC", atr: [0x3B, 0x88, 0x80, 0x01])])
    }

    @Test("nothing that matters changed (another program connected): no event")
    func noEvent() {
        let before = states(reader("A", card: atr, events: 5))
        let after = ReaderStates(readers: before.readers, eventStates: ["A": 5 << 16 | 0x20 | 0x100])
        #expect(ReaderEvent.changes(from: before, to: after).isEmpty)
    }
}
