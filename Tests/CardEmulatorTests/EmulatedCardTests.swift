import APDU
import CardEmulator
import CardIO
import Crypto
import Foundation
import Testing
import _CryptoExtras

/// The emulator behaves as the real card: these tests send raw APDUs and check the status words.
@Suite("Emulated card")
struct EmulatedCardTests {
    static let profiles = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/profiles")

    func card(_ profile: String = "healthy", store: CardStateStore? = nil) throws -> EmulatedCard {
        EmulatedCard(profile: try CardProfile.load(from: Self.profiles.appendingPathComponent(profile)), store: store)
    }

    func send(_ card: EmulatedCard, _ hex: String) throws -> ResponseAPDU {
        try ResponseAPDU(bytes: card.process(try #require([UInt8](hex: hex))))
    }

    let selectJPKI = "00A4040C0AD392F000260100000001"

    @Test("the card presents the My Number card's ATR")
    func atr() throws {
        #expect(try card().atr == [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14])
    }

    @Test("an unknown applet is not found")
    func unknownApplet() throws {
        #expect(try send(card(), "00A4040C05A000000001").statusWord == .fileNotFound)
    }

    @Test("reading without a selected file is refused")
    func readWithoutFile() throws {
        let card = try card()
        _ = try send(card, selectJPKI)
        #expect(try send(card, "00B0000004").statusWord == .commandNotAllowedNoEF)
    }

    @Test("a certificate reads in chunks, and the last chunk ends with 62 82")
    func readCertificate() throws {
        let card = try card()
        _ = try send(card, selectJPKI)
        #expect(try send(card, "00A4020C02000A").statusWord.isSuccess)
        let header = try send(card, "00B0000004")
        #expect(header.data.prefix(2) == [0x30, 0x82])
        let length = Int(header.data[2]) << 8 | Int(header.data[3]) + 4
        let tail = try send(card, String(format: "00B0%04X00", length - 10))
        #expect(tail.statusWord == .endOfFileReached)
        #expect(tail.data.count == 10)
        #expect(try send(card, String(format: "00B0%04X01", length)).statusWord == .wrongParametersOffsetOutside)
    }

    @Test("extended-length READ BINARY returns the whole certificate at once")
    func extendedRead() throws {
        let card = try card()
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C02000A")
        let whole = try send(card, "00B00000000800")
        let expected = try Data(contentsOf: Self.profiles.appendingPathComponent("healthy/jpki/auth-cert.der"))
        #expect(whole.data == [UInt8](expected))
    }

    @Test("the signature certificate needs the signing PIN")
    func signCertificateNeedsPIN() throws {
        let card = try card()
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C020001")
        #expect(try send(card, "00B0000004").statusWord == .securityStatusNotSatisfied)
        _ = try send(card, "00A4020C02001B")
        #expect(try send(card, "0020008006" + [UInt8]("ABC123".utf8).hexString).statusWord.isSuccess)
        _ = try send(card, "00A4020C020001")
        #expect(try send(card, "00B0000004").statusWord.isSuccess)
    }

    @Test("a wrong auth PIN costs one try; the empty VERIFY only reports the count")
    func wrongPIN() throws {
        let card = try card()
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C020018")
        #expect(try send(card, "0020008000").statusWord == StatusWord(0x63C3))
        #expect(try send(card, "002000800439393939").statusWord == StatusWord(0x63C2))
        #expect(try send(card, "0020008000").statusWord == StatusWord(0x63C2))
        #expect(try send(card, "002000800431323334").statusWord.isSuccess)
        #expect(try send(card, "0020008000").statusWord.isSuccess)
    }

    @Test("three wrong auth PINs block it; then even the right PIN is refused")
    func blocking() throws {
        let card = try card()
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C020018")
        for left in [2, 1, 0] {
            #expect(try send(card, "002000800439393939").statusWord == StatusWord(sw1: 0x63, sw2: 0xC0 | UInt8(left)))
        }
        #expect(try send(card, "0020008000").statusWord == StatusWord(0x63C0))
        #expect(try send(card, "002000800431323334").statusWord == .referenceDataNotUsable)
    }

    @Test("a blocked card stays blocked across runs when it keeps a state file")
    func persistentBlock() throws {
        let stateURL = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: stateURL) }
        do {
            let card = try card(store: CardStateStore(url: stateURL))
            _ = try send(card, selectJPKI)
            _ = try send(card, "00A4020C020018")
            for _ in 0..<3 { _ = try send(card, "002000800439393939") }
        }
        let again = try card(store: CardStateStore(url: stateURL))
        _ = try send(again, selectJPKI)
        _ = try send(again, "00A4020C020018")
        #expect(try send(again, "0020008000").statusWord == StatusWord(0x63C0))
    }

    @Test("security status is cleared by a reset and by selecting an applet again")
    func securityStatusCleared() throws {
        let card = try card()
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C020018")
        _ = try send(card, "002000800431323334")
        #expect(try send(card, "0020008000").statusWord.isSuccess)
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C020018")
        #expect(try send(card, "0020008000").statusWord == StatusWord(0x63C3))
        _ = try send(card, "002000800431323334")
        card.reset()
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C020018")
        #expect(try send(card, "0020008000").statusWord == StatusWord(0x63C3))
    }

    @Test("signing needs the key's PIN, and the signature verifies with PKCS#1 v1.5")
    func signing() throws {
        let card = try card()
        let digestInfo = [UInt8](hex: "3031300D060960864801650304020105000420")! + [UInt8](repeating: 0x11, count: 32)
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C020017")
        let refused = try send(card, "802A0080" + String(format: "%02X", digestInfo.count) + digestInfo.hexString + "00")
        #expect(refused.statusWord == .securityStatusNotSatisfied)
        _ = try send(card, "00A4020C020018")
        _ = try send(card, "002000800431323334")
        _ = try send(card, "00A4020C020017")
        let signed = try send(card, "802A0080" + String(format: "%02X", digestInfo.count) + digestInfo.hexString + "00")
        #expect(signed.statusWord.isSuccess)
        #expect(signed.data.count == 256)
    }

    @Test("the card-face and text applets sign a challenge with their card key without a PIN; JPKI has no such key")
    func internalAuthentication() throws {
        let random = [UInt8](repeating: 0x22, count: 32)
        let digestInfo = [UInt8](hex: "3031300D060960864801650304020105000420")! + Array(SHA256.hash(data: random))
        let challenge = "802A0000" + String(format: "%02X", digestInfo.count) + digestInfo.hexString + "00"
        let profile = Self.profiles.appendingPathComponent("healthy")
        let cardKey = try _RSA.Signing.PrivateKey(derRepresentation: Data(contentsOf: profile.appendingPathComponent("face/card-key.der"))).publicKey
        for aid in ["D3921000310001010402", "D3921000310001010408"] {
            let card = try card()
            _ = try send(card, "00A4040C0A" + aid)
            let signed = try send(card, challenge)
            #expect(signed.statusWord.isSuccess)
            #expect(cardKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signed.data),
                                             for: SHA256.hash(data: random), padding: .insecurePKCS1v1_5))
        }
        let card = try card()
        _ = try send(card, selectJPKI)
        #expect(try send(card, challenge).statusWord == .referencedDataNotFound)
    }

    @Test("unknown instructions and classes get 6D 00 and 6E 00; a malformed APDU gets 67 00")
    func unsupported() throws {
        let card = try card()
        #expect(try send(card, "00CA000000").statusWord == .instructionNotSupported)
        #expect(try send(card, "A0A4040C00").statusWord == .classNotSupported)
        #expect(try send(card, "00A404").statusWord == .wrongLength)
    }
}

@Suite("In-memory transport")
struct EmulatedCardTransportTests {
    @Test("a card pulled out makes the transport fail with cardRemoved")
    func removal() throws {
        let card = EmulatedCard(profile: try CardProfile.load(from: EmulatedCardTests.profiles.appendingPathComponent("healthy")))
        let transport = EmulatedCardTransport(card: card)
        transport.removeAfterCommands = 1
        _ = try transport.transmit(.select(applet: AID(hex: "D392F000260100000001")!))
        #expect(throws: CardIOError.cardRemoved(reader: transport.readerName)) {
            try transport.transmit(.readBinary(offset: 0, length: 4))
        }
    }
}
