import CardIO
import Foundation

/// Opens the card the options point at, runs `body` inside one exclusive transaction, and closes the
/// connection (resetting the card, so no verified PIN outlives this command).
func withCard<T>(_ options: CardOptions, _ body: (PCSCCard) throws -> T) throws -> T {
    let context = try PCSCContext()
    let reader = try context.awaitCard(in: options.reader ?? ProcessInfo.processInfo.environment["MYNACARD_READER"], timeout: options.wait)
    let card = try context.connect(to: reader)
    defer { card.disconnect() }
    return try card.withTransaction { try body(card) }
}
