import CardIO
import CardSession
import Foundation

/// Finds the card the options point at and connects to it, without taking it: the command's card operations
/// (``CardSession/operation(_:)``, ``CardSession/withPIN(_:force:entry:prepare:_:)``) each take it only while
/// they talk to it, so no transaction is held while a PIN is typed. Taking the card waits for another program
/// that holds it — saying so on standard error after a second — for at most ``PCSCCard/defaultBusyTimeout``
/// seconds (or `--timeout`, if shorter), then fails with `card-in-use`. Every call that waits on the card,
/// taking it included, is under a ``CardWatchdog`` with `--timeout`. The connection is closed leaving the card
/// as it is: every operation has logged out the PINs it sent.
func withCard<T>(_ options: CardOptions, _ body: (CardSession) throws -> T) throws -> T {
    let context = try PCSCContext()
    // getenv, not ProcessInfo: that copies the whole environment, and nothing here should hold copies of it.
    let reader = try context.awaitCard(in: options.reader ?? getenv("MYNACARD_READER").map { String(cString: $0) }, timeout: options.wait)
    let busyTimeout = min(PCSCCard.defaultBusyTimeout, options.timeout)
    let watchdog = CardWatchdog(seconds: options.timeout, busySeconds: busyTimeout, reader: reader)
    defer { watchdog.stop() }
    let connection = try watchdog.guarding(.otherProgram) {
        try context.connect(to: reader, busyTimeout: busyTimeout) { reader, seconds in
            Output.message("mynacard: another program is using the card in reader \"\(terminalSafe(reader))\"; "
                           + "waiting up to \(Int(seconds)) s for it to finish…")
        }
    }
    let card = WatchedCard(connection, watchdog: watchdog)
    defer { watchdog.guarding(.card) { connection.disconnect() } }
    return try body(CardSession(transport: card))
}
