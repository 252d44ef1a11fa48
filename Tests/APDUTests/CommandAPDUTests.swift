import APDU
import Testing

@Suite("Command APDUs")
struct CommandAPDUTests {
    @Test("SELECT of the JPKI applet encodes as the card expects")
    func selectJPKI() throws {
        let aid = try #require(AID(hex: "D392F000260100000001"))
        #expect(try CommandAPDU.select(applet: aid).encoded() == [UInt8](hex: "00A4040C0AD392F000260100000001"))
    }

    @Test("READ BINARY of 256 bytes uses Le 00 in the short form")
    func readBinaryShort() throws {
        #expect(try CommandAPDU.readBinary(offset: 0x0104, length: 256).encoded() == [0x00, 0xB0, 0x01, 0x04, 0x00])
    }

    @Test("a command needing more than 256 bytes back switches to extended length")
    func extendedLength() throws {
        let command = CommandAPDU.readBinary(offset: 0, length: 2000)
        #expect(command.needsExtendedLength)
        #expect(try command.encoded() == [0x00, 0xB0, 0x00, 0x00, 0x00, 0x07, 0xD0])
        let big = CommandAPDU(ins: 0x2A, p1: 0, p2: 0, data: [UInt8](repeating: 1, count: 300), expectedLength: 256)
        let bytes = try big.encoded()
        #expect(bytes[4...6] == [0x00, 0x01, 0x2C])
        #expect(bytes.suffix(2) == [0x01, 0x00])
    }

    @Test("every ISO case round-trips through encode and parse", arguments: [
        CommandAPDU(ins: 0x20, p1: 0, p2: 0x80),
        CommandAPDU(ins: 0xB0, p1: 0, p2: 0, expectedLength: 256),
        CommandAPDU(ins: 0xA4, p1: 2, p2: 0x0C, data: [0x00, 0x0A]),
        CommandAPDU(cla: 0x80, ins: 0x2A, p1: 0, p2: 0x80, data: [1, 2, 3], expectedLength: 256),
        CommandAPDU(ins: 0xB0, p1: 0, p2: 0, expectedLength: 65536),
        CommandAPDU(ins: 0xD6, p1: 0, p2: 0, data: [UInt8](repeating: 7, count: 600)),
        CommandAPDU(ins: 0x2A, p1: 0, p2: 0, data: [UInt8](repeating: 7, count: 600), expectedLength: 1000),
    ])
    func roundTrip(command: CommandAPDU) throws {
        #expect(try CommandAPDU(bytes: command.encoded()) == command)
    }

    @Test("malformed commands are rejected with an error, never a crash", arguments: [
        [UInt8](), [0x00], [0x00, 0xA4, 0x04], [0x00, 0xA4, 0x04, 0x0C, 0x05, 0x01],
        [0x00, 0xA4, 0x04, 0x0C, 0x00, 0x00], [0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x05, 0x01],
        [0x00, 0xA4, 0x04, 0x0C, 0x02, 0x01, 0x02, 0x03, 0x04],
    ])
    func malformed(bytes: [UInt8]) {
        #expect(throws: APDUError.self) { try CommandAPDU(bytes: bytes) }
    }

    @Test("a command whose data cannot be encoded is refused")
    func unencodable() {
        #expect(throws: APDUError.self) { try CommandAPDU(ins: 0, p1: 0, p2: 0, data: [UInt8](repeating: 0, count: 70000)).encoded() }
        #expect(throws: APDUError.self) { try CommandAPDU(ins: 0, p1: 0, p2: 0, expectedLength: 0).encoded() }
    }
}

@Suite("Responses and status words")
struct ResponseTests {
    @Test("a response splits into data and status word")
    func split() throws {
        let response = try ResponseAPDU(bytes: [0x30, 0x82, 0x90, 0x00])
        #expect(response.data == [0x30, 0x82])
        #expect(response.statusWord.isSuccess)
    }

    @Test("a response shorter than two bytes is an error", arguments: [[UInt8](), [0x90]])
    func tooShort(bytes: [UInt8]) {
        #expect(throws: APDUError.responseTooShort(length: bytes.count)) { try ResponseAPDU(bytes: bytes) }
    }

    @Test("63 Cx reports x tries left, and 63 C0 means blocked")
    func retryCounter() {
        #expect(StatusWord(0x63C2).retriesRemaining == 2)
        #expect(StatusWord(0x63C2).meaning == "wrong PIN; 2 tries remain")
        #expect(StatusWord(0x63C0).meaning.contains("blocked"))
        #expect(StatusWord(0x6300).retriesRemaining == nil)
    }

    @Test("every status word the card uses has a plain-language meaning", arguments: [
        0x6282, 0x6700, 0x6982, 0x6983, 0x6984, 0x6986, 0x6A82, 0x6A86, 0x6B00, 0x6D00, 0x6E00,
    ] as [UInt16])
    func meanings(value: UInt16) {
        let meaning = StatusWord(value).meaning
        #expect(!meaning.isEmpty)
        #expect(meaning != "unknown status")
    }

    @Test("61 xx and 6C xx announce lengths, 00 meaning 256")
    func lengths() {
        #expect(StatusWord(0x6110).moreDataAvailable == 16)
        #expect(StatusWord(0x6100).moreDataAvailable == 256)
        #expect(StatusWord(0x6C20).correctLength == 32)
    }
}
