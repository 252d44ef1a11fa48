import CardIO
import Foundation

/// Opens the card the options point at, runs `body` inside one exclusive transaction, and closes the
/// connection (resetting the card, so no verified PIN outlives this command).
func withCard<T>(_ options: CardOptions, _ body: (PCSCCard) throws -> T) throws -> T {
    let context = try PCSCContext()
    // getenv, not ProcessInfo: that copies the whole environment, and nothing here should hold copies of it.
    let reader = try context.awaitCard(in: options.reader ?? getenv("MYNACARD_READER").map { String(cString: $0) }, timeout: options.wait)
    let card = try context.connect(to: reader)
    defer { card.disconnect() }
    return try card.withTransaction { try body(card) }
}
