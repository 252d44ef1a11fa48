import CardIO
import Foundation

/// Opens the card the options point at, runs `body` inside one exclusive transaction, and closes the
/// connection (resetting the card, so no verified PIN outlives this command). Each wait on the card is
/// under a ``CardWatchdog`` with the options' `--timeout`.
func withCard<T>(_ options: CardOptions, _ body: (WatchedCard) throws -> T) throws -> T {
    let context = try PCSCContext()
    // getenv, not ProcessInfo: that copies the whole environment, and nothing here should hold copies of it.
    let reader = try context.awaitCard(in: options.reader ?? getenv("MYNACARD_READER").map { String(cString: $0) }, timeout: options.wait)
    let watchdog = CardWatchdog(seconds: options.timeout, reader: reader)
    defer { watchdog.stop() }
    let card = WatchedCard(try watchdog.guarding(.card) { try context.connect(to: reader) }, watchdog: watchdog)
    defer { watchdog.guarding(.card) { card.card.disconnect() } }
    return try card.withTransaction { try body(card) }
}
