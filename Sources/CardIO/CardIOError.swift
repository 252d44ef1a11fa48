/// Why the tool could not talk to a card, in words a counter clerk can act on.
public enum CardIOError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The PC/SC service (pcscd) is not running or not reachable.
    case serviceUnavailable
    /// The PC/SC service (pcscd) went away while the card was in use (it stopped, crashed or was restarted).
    case serviceStopped
    /// PC/SC knows no reader at all.
    case noReaders
    /// No reader has the requested name or index.
    case readerNotFound(requested: String, available: [String])
    /// The requested part of a name matches more than one reader.
    case ambiguousReader(requested: String, matches: [String])
    /// The reader is empty.
    case noCard(reader: String)
    /// No card was inserted within the waiting time (`reader` is "any reader" when none was chosen).
    case timedOutWaitingForCard(reader: String, seconds: Double)
    /// The card left the reader during the operation.
    case cardRemoved(reader: String)
    /// The card did not answer (mute, unpowered or unresponsive).
    case cardUnresponsive(reader: String)
    /// Another program holds the card (exclusively, or in a transaction it did not end in time).
    case cardInUse(reader: String)
    /// Another program reset the card again and again, or during an operation.
    case cardReset(reader: String)
    /// The card and reader agree on no protocol (T=0 or T=1).
    case protocolMismatch(reader: String)
    /// The process may not use the reader (permissions).
    case accessDenied(reader: String)
    /// The card broke the APDU protocol.
    case protocolViolation(String)
    /// Any other PC/SC failure, with pcsc-lite's own text.
    case pcsc(code: Int64, function: String, message: String)

    public var description: String {
        switch self {
        case .serviceUnavailable:
            "the PC/SC service is not running: start pcscd (e.g. `sudo systemctl start pcscd`, or run `pcscd` as root)"
        case .serviceStopped:
            "the PC/SC service (pcscd) went away during the operation (it stopped or was restarted): "
                + "check that pcscd runs (`systemctl status pcscd`) and run the command again"
        case .noReaders:
            "no card reader found: connect a reader (PC/SC, CCID) and check that pcscd sees it (`pcsc_scan`)"
        case .readerNotFound(let requested, let available):
            "no reader matches \"\(requested)\"; readers present: " + (available.isEmpty ? "none" : available.map { "\"\($0)\"" }.joined(separator: ", "))
        case .ambiguousReader(let requested, let matches):
            "\"\(requested)\" is ambiguous: it matches the readers " + matches.map { "\"\($0)\"" }.joined(separator: ", ")
                + "; give more of the name, or the index from `mynacard readers`"
        case .noCard(let reader):
            "no card in reader \"\(reader)\": insert the My Number card (or use --wait SECONDS)"
        case .timedOutWaitingForCard(let reader, let seconds):
            "no card was inserted in " + (reader == "any reader" ? reader : "reader \"\(reader)\"") + " within \(formatSeconds(seconds)) second\(seconds == 1 ? "" : "s")"
        case .cardRemoved(let reader):
            "the card was removed from reader \"\(reader)\" during the operation: put it back and run the command again"
        case .cardUnresponsive(let reader):
            "the card in reader \"\(reader)\" does not answer: take it out, check its orientation and insert it again"
        case .cardInUse(let reader):
            "another program is using the card in reader \"\(reader)\" and did not let go of it in time: "
                + "wait until it is done (or close it) and run the command again"
        case .cardReset(let reader):
            "another program keeps resetting the card in reader \"\(reader)\": wait until it is done (or close it) and run the command again"
        case .protocolMismatch(let reader):
            "the card in reader \"\(reader)\" speaks neither T=0 nor T=1: is it a My Number card?"
        case .accessDenied(let reader):
            "not allowed to use reader \"\(reader)\": install the udev rules from udev/ or run as a member of the scard group"
        case .protocolViolation(let why):
            "the card broke the APDU protocol: \(why)"
        case .pcsc(let code, let function, let message):
            "PC/SC error in \(function): \(message) (0x\(String(UInt32(truncatingIfNeeded: code), radix: 16, uppercase: true)))"
        }
    }
}

private func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}
