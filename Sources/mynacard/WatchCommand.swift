import APDU
import ArgumentParser
import CardIO
import CardSession
import Dispatch
import Foundation

/// `mynacard watch`: one line per reader or card event, for kiosks and scripts.
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Report readers and cards coming and going, one line per event, until interrupted.",
        discussion: """
            Waits on PC/SC for changes (no polling) and never connects to a card, so it does not disturb the program \
            that reacts to an event. It starts with the readers and cards already present (marked initial), then \
            reports reader-added, reader-removed, card-inserted and card-removed with the card's ATR, how it is \
            connected (atrKind: contact, contactless: made up by an NFC reader, other) and which card the ATR is known \
            for (cardKind: my-number-card, resident-registry-card, unknown — over NFC the ATR often cannot tell). \
            With --exec, CMD runs through /bin/sh for every card inserted (one already present at start included), \
            without waiting for it to end, with MYNACARD_READER (which mynacard itself takes as the reader to use), \
            MYNACARD_ATR and MYNACARD_CARD_KIND in its environment; with --json its standard output goes to standard \
            error, so that standard output stays one JSON object per line. Ctrl-C (or SIGTERM) ends it with exit 0.
            """
    )

    @Flag(name: .long, help: "One JSON object per line: {\"event\", \"reader\", \"atr\"?, \"atrKind\"?, \"cardKind\"?, \"initial\", \"time\"}.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Shell command to run for every card inserted (reader name in $MYNACARD_READER).", valueName: "CMD"))
    var exec: String?

    /// One event as written.
    struct Line: Encodable {
        var event: String
        var reader: String
        var atr: String?
        var atrKind: String?
        var cardKind: String?
        var initial: Bool
        var time: String
    }

    func run() throws {
        try Failure.report(json: json) {
            let context = try PCSCContext()
            let signals = Self.interruptions(cancelling: context.waitCanceller)
            defer { signals.forEach { $0.cancel() } }
            var commands: [Process] = []
            var states = try context.readerStates()
            try report(ReaderEvent.changes(from: .empty, to: states), initial: true, commands: &commands)
            // Without a time limit, the wait ends without news only when a signal cancelled it.
            while let fresh = try context.waitForChange(after: states, timeout: nil) {
                try report(ReaderEvent.changes(from: states, to: fresh), initial: false, commands: &commands)
                states = fresh
                commands.removeAll { !$0.isRunning }
            }
        }
    }

    private func report(_ events: [ReaderEvent], initial: Bool, commands: inout [Process]) throws {
        for event in events {
            let line = Self.line(for: event, initial: initial)
            if json {
                Output.standardOutput(try Self.compactJSON(line) + [0x0A])
            } else {
                let atr = line.atr.map { "  ATR \($0) (\(CardATR([UInt8](hex: $0) ?? []).note))" } ?? ""
                Output.line(terminalSafe("\(line.time)  \(line.event)  \(line.reader)\(atr)\(initial ? "  (already there at start)" : "")"))
            }
            if case .cardInserted(let reader, let atr) = event, let exec {
                commands.append(try run(exec, reader: reader, atr: atr))
            }
        }
    }

    static func line(for event: ReaderEvent, initial: Bool) -> Line {
        let time = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        switch event {
        case .readerAdded(let reader): return Line(event: "reader-added", reader: reader, initial: initial, time: time)
        case .readerRemoved(let reader): return Line(event: "reader-removed", reader: reader, initial: initial, time: time)
        case .cardInserted(let reader, let atr):
            return Line(event: "card-inserted", reader: reader, atr: atr.hexString, atrKind: CardATR(atr).interface.rawValue,
                        cardKind: CardATR(atr).card.rawValue, initial: initial, time: time)
        case .cardRemoved(let reader, let atr):
            return Line(event: "card-removed", reader: reader, atr: atr.hexString, atrKind: CardATR(atr).interface.rawValue,
                        cardKind: CardATR(atr).card.rawValue, initial: initial, time: time)
        }
    }

    static func compactJSON(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// Starts `command` through the shell for a card inserted in `reader`, without waiting for it.
    private func run(_ command: String, reader: String, atr: [UInt8]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        environment["MYNACARD_READER"] = reader
        environment["MYNACARD_ATR"] = atr.hexString
        environment["MYNACARD_ATR_KIND"] = CardATR(atr).interface.rawValue
        environment["MYNACARD_CARD_KIND"] = CardATR(atr).card.rawValue
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        if json { process.standardOutput = FileHandle.standardError }
        do { try process.run() } catch {
            throw InputError.invalid("cannot run --exec command: \(error.localizedDescription)")
        }
        return process
    }

    /// Ctrl-C and SIGTERM end the wait (through `canceller`) instead of killing the process mid-line.
    static func interruptions(cancelling canceller: PCSCWaitCanceller) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { canceller.cancel() }
            source.resume()
            return source
        }
    }
}
