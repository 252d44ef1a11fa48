import APDU
import CardIO
import Testing

/// A transport that answers from a script, to show how `transmit` handles what readers and cards send.
final class ScriptedTransport: CardTransport {
    let readerName = "scripted"
    let atr: [UInt8] = []
    let isCardPresent = true
    private var answers: [[UInt8]]
    private(set) var sent: [[UInt8]] = []

    init(answers: [[UInt8]]) { self.answers = answers }

    func transmitRaw(_ command: [UInt8]) throws -> [UInt8] {
        sent.append(command)
        return answers.isEmpty ? [0x6F, 0x00] : answers.removeFirst()
    }

    func beginTransaction() throws {}
    func endTransaction() throws {}
}

@Suite("Response handling in transmit")
struct TransmitTests {
    @Test("61 xx is followed by GET RESPONSE until the data is complete")
    func getResponse() throws {
        let transport = ScriptedTransport(answers: [[0xAA, 0x61, 0x02], [0xBB, 0xCC, 0x61, 0x01], [0xDD, 0x90, 0x00]])
        let response = try transport.transmit(.readBinary(offset: 0, length: 4))
        #expect(response.data == [0xAA, 0xBB, 0xCC, 0xDD])
        #expect(response.statusWord.isSuccess)
        #expect(transport.sent.dropFirst() == [[0x00, 0xC0, 0x00, 0x00, 0x02], [0x00, 0xC0, 0x00, 0x00, 0x01]])
    }

    @Test("6C xx makes the command go again with the length the card asked for")
    func resendWithCorrectLength() throws {
        let transport = ScriptedTransport(answers: [[0x6C, 0x10], [UInt8](repeating: 7, count: 16) + [0x90, 0x00]])
        let response = try transport.transmit(.readBinary(offset: 0, length: 256))
        #expect(response.data.count == 16)
        #expect(transport.sent == [[0x00, 0xB0, 0x00, 0x00, 0x00], [0x00, 0xB0, 0x00, 0x00, 0x10]])
    }

    @Test("a card that never stops announcing more data is cut off with an error")
    func endlessGetResponse() {
        let transport = ScriptedTransport(answers: [[UInt8]](repeating: [0x00, 0x61, 0x01], count: 300))
        #expect(throws: CardIOError.self) { try transport.transmit(.readBinary(offset: 0, length: 1)) }
    }

    @Test("a reply without status bytes is an error, not a crash")
    func emptyReply() {
        let transport = ScriptedTransport(answers: [[]])
        #expect(throws: APDUError.responseTooShort(length: 0)) { try transport.transmit(.verify()) }
    }
}

@Suite("PC/SC errors in plain language")
struct CardIOErrorTests {
    @Test("each error says what to do", arguments: [
        (CardIOError.serviceUnavailable, "start pcscd"),
        (.noReaders, "connect a reader"),
        (.noCard(reader: "R"), "insert the My Number card"),
        (.cardRemoved(reader: "R"), "put it back"),
        (.cardInUse(reader: "R"), "close it"),
        (.cardReset(reader: "R"), "keeps resetting"),
        (.accessDenied(reader: "R"), "udev"),
        (.readerNotFound(requested: "X", available: ["A", "B"]), "\"A\", \"B\""),
    ])
    func messages(error: CardIOError, advice: String) {
        #expect(error.description.contains(advice))
    }
}

@Suite("Secrets on the wire")
struct SecretTransmitTests {
    @Test("a command carrying a PIN is sent as usual, and its data is wiped afterwards")
    func wipesCommandData() throws {
        let transport = ScriptedTransport(answers: [[0x90, 0x00]])
        var command = CommandAPDU.verify(pin: Array("1234".utf8))
        let response = try transport.transmitSecret(&command)
        #expect(response.statusWord.isSuccess)
        #expect(transport.sent == [[0x00, 0x20, 0x00, 0x80, 0x04, 0x31, 0x32, 0x33, 0x34]])
        #expect(command.data.isEmpty)
    }
}
