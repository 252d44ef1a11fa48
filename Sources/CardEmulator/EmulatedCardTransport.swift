import APDU
import CardIO

/// A ``CardTransport`` straight to an ``EmulatedCard`` in memory, for fast unit tests.
/// It can simulate pulling the card out.
public final class EmulatedCardTransport: CardTransport {
    /// The emulated card.
    public let card: EmulatedCard
    public let readerName: String
    public var atr: [UInt8] { card.atr }
    public private(set) var isCardPresent = true
    /// Every command sent, in order (for tests that check what reached the card).
    public private(set) var sentCommands: [[UInt8]] = []
    /// When set, the card is "pulled out" once this many commands have been answered.
    public var removeAfterCommands: Int?
    /// How many commands were sent outside a transaction (a card operation sends every command inside one).
    public private(set) var commandsOutsideTransaction = 0
    /// Transactions taken and how many of them ended with a reset.
    public private(set) var transactions = 0, resets = 0
    private var transactionDepth = 0

    /// Creates a transport to `card`; the card is reset as it would be on insertion.
    public init(card: EmulatedCard, readerName: String = "Emulated My Number card 00 00") {
        self.card = card
        self.readerName = readerName
        card.reset()
    }

    public func transmitRaw(_ command: [UInt8]) throws -> [UInt8] {
        if let limit = removeAfterCommands, sentCommands.count >= limit { isCardPresent = false }
        guard isCardPresent else { throw CardIOError.cardRemoved(reader: readerName) }
        sentCommands.append(command)
        if transactionDepth == 0 { commandsOutsideTransaction += 1 }
        return card.process(command)
    }

    public func beginTransaction() throws {
        guard isCardPresent else { throw CardIOError.cardRemoved(reader: readerName) }
        transactionDepth += 1
        transactions += 1
    }

    public func endTransaction() throws {
        transactionDepth = max(0, transactionDepth - 1)
    }

    public func endTransactionResettingCard() throws {
        card.reset()
        resets += 1
        try endTransaction()
    }

    /// Whether a transaction is open.
    public var isInTransaction: Bool { transactionDepth > 0 }
}
