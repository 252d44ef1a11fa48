import CardIO
import CardSession
import Foundation

/// Finds the card the options point at and connects to it, without taking it: the command's card operations
/// (``CardSession/operation(_:)``, ``CardSession/withPIN(_:force:entry:prepare:_:)``) each take it only while
/// they talk to it, so no transaction is held while a PIN is typed. Taking the card waits for another program
/// that holds it — saying so on standard error after a second — for at most ``PCSCCard/defaultBusyTimeout``
/// seconds, then fails with `card-in-use`. The connection is closed leaving the card as it is: every operation
/// has logged out the PINs it sent.
func withCard<T>(_ options: CardOptions, _ body: (CardSession) throws -> T) throws -> T {
    let context = try PCSCContext()
    // getenv, not ProcessInfo: that copies the whole environment, and nothing here should hold copies of it.
    let reader = try context.awaitCard(in: options.reader ?? getenv("MYNACARD_READER").map { String(cString: $0) }, timeout: options.wait)
    let card = try context.connect(to: reader) { reader, seconds in
        Output.message("mynacard: another program is using the card in reader \"\(terminalSafe(reader))\"; "
                       + "waiting up to \(Int(seconds)) s for it to finish…")
    }
    defer { card.disconnect() }
    return try body(CardSession(transport: card))
}
