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

    func card(_ profile: String = "healthy", store: CardStateStore? = nil, _ configure: (inout CardSettings) -> Void = { _ in }) throws -> EmulatedCard {
        var loaded = try CardProfile.load(from: Self.profiles.appendingPathComponent(profile))
        configure(&loaded.settings)
        return EmulatedCard(profile: loaded, store: store)
    }

    func send(_ card: EmulatedCard, _ hex: String) throws -> ResponseAPDU {
        try ResponseAPDU(bytes: card.process(try #require([UInt8](hex: hex))))
    }

    let selectJPKI = "00A4040C0AD392F000260100000001"

    @Test("the card presents a real My Number card's contact ATR, not the 住基カード's")
    func atr() throws {
        #expect(try card().atr == [UInt8](hex: "3BDA13FF8131FB468012392F31C173C601C03B"))
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

    @Test("a read past the end of a certificate answers as the readPastEnd setting says", arguments: CardSettings.ReadPastEnd.allCases)
    func readPastEnd(setting: CardSettings.ReadPastEnd) throws {
        let card = try card { $0.readPastEnd = setting }
        _ = try send(card, selectJPKI)
        #expect(try send(card, "00A4020C02000A").statusWord.isSuccess)
        let header = try send(card, "00B0000004")
        #expect(header.data.prefix(2) == [0x30, 0x82])
        let length = Int(header.data[2]) << 8 | Int(header.data[3]) + 4
        let tail = try send(card, String(format: "00B0%04X00", length - 10))
        switch setting {
        case .jicsap: #expect(tail.statusWord == .success && tail.data.count == 10)
        case .iso: #expect(tail.statusWord == .endOfFileReached && tail.data.count == 10)
        case .offsetError: #expect(tail.statusWord == .wrongParametersOffsetOutside && tail.data.isEmpty)
        }
        #expect(try send(card, String(format: "00B0%04X0A", length - 10)).data.count == 10)
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

    @Test("a wrong auth PIN costs one try; the empty VERIFY only reports the count, also after the right PIN")
    func wrongPIN() throws {
        let card = try card()
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C020018")
        #expect(try send(card, "0020008000").statusWord == StatusWord(0x63C3))
        #expect(try send(card, "002000800439393939").statusWord == StatusWord(0x63C2))
        #expect(try send(card, "0020008000").statusWord == StatusWord(0x63C2))
        #expect(try send(card, "002000800431323334").statusWord.isSuccess)
        #expect(try send(card, "0020008000").statusWord == StatusWord(0x63C3))
    }

    @Test("with emptyVerifyAfterSuccess \"success\" the retry query answers 90 00 once the PIN is verified")
    func emptyVerifyAfterSuccess() throws {
        let card = try card { $0.emptyVerifyAfterSuccess = .success }
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C020018")
        #expect(try send(card, "0020008000").statusWord == StatusWord(0x63C3))
        #expect(try send(card, "002000800431323334").statusWord.isSuccess)
        #expect(try send(card, "0020008000").statusWord.isSuccess)
    }

    @Test("three wrong auth PINs block it; the retry query then answers as blockedPINAnswer says, and even the right PIN is refused",
          arguments: CardSettings.BlockedPINAnswer.allCases)
    func blocking(answer: CardSettings.BlockedPINAnswer) throws {
        let card = try card { $0.blockedPINAnswer = answer }
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C020018")
        for left in [2, 1, 0] {
            #expect(try send(card, "002000800439393939").statusWord == StatusWord(sw1: 0x63, sw2: 0xC0 | UInt8(left)))
        }
        #expect(try send(card, "0020008000").statusWord.value == UInt16(answer.rawValue, radix: 16))
        #expect(try send(card, "002000800431323334").statusWord == .referenceDataNotUsable)
    }

    @Test("the retry query takes the PIN file's short EF identifier in P2, unless shortFileIdentifiers is off", arguments: [true, false])
    func retryQueryByShortIdentifier(enabled: Bool) throws {
        let card = try card { $0.shortFileIdentifiers = enabled }
        _ = try send(card, selectJPKI)
        #expect(try send(card, "00200098").statusWord == (enabled ? StatusWord(0x63C3) : .incorrectP1P2))
        #expect(try send(card, "0020009B").statusWord == (enabled ? StatusWord(0x63C5) : .incorrectP1P2))
    }

    @Test("a PIN without a retry limit answers 63 00 and a wrong try costs nothing")
    func unlimitedPIN() throws {
        var profile = try CardProfile.load(from: Self.profiles.appendingPathComponent("healthy"))
        let jpki = try #require(profile.applets.firstIndex { $0.name == "JPKI" })
        profile.applets[jpki].files[FileID(0x0018)]?.content = .unlimitedPIN(value: Array("1234".utf8))
        let card = EmulatedCard(profile: profile)
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C020018")
        #expect(try send(card, "0020008000").statusWord == .verificationFailed)
        for _ in 0..<5 { #expect(try send(card, "002000800439393939").statusWord == .verificationFailed) }
        #expect(try send(card, "002000800431323334").statusWord.isSuccess)
    }

    @Test("a PIN that was never set answers every VERIFY as unsetPINAnswer says", arguments: CardSettings.UnsetPINAnswer.allCases)
    func unsetPIN(answer: CardSettings.UnsetPINAnswer) throws {
        var profile = try CardProfile.load(from: Self.profiles.appendingPathComponent("healthy"))
        profile.settings.unsetPINAnswer = answer
        let jpki = try #require(profile.applets.firstIndex { $0.name == "JPKI" })
        profile.applets[jpki].files[FileID(0x0018)]?.content = .unsetPIN
        let card = EmulatedCard(profile: profile)
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C020018")
        #expect(try send(card, "0020008000").statusWord.value == UInt16(answer.rawValue, radix: 16))
        #expect(try send(card, "002000800431323334").statusWord.value == UInt16(answer.rawValue, radix: 16))
    }

    @Test("a reader with a small response limit answers a longer READ BINARY as overLimitAnswer says", arguments: CardSettings.OverLimitAnswer.allCases)
    func smallResponseLimit(answer: CardSettings.OverLimitAnswer) throws {
        let card = try card {
            $0.maximumResponseLength = 128
            $0.overLimitAnswer = answer
        }
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C02000A")
        let refused = try send(card, "00B0000000")
        #expect(refused.statusWord == (answer == .wrongLength ? .wrongLength : StatusWord(0x6C80)))
        #expect(try send(card, "00B0000080").data.count == 128)
    }

    @Test("a signature longer than the response limit comes in parts, fetched with GET RESPONSE")
    func signatureInParts() throws {
        let card = try card { $0.maximumResponseLength = 100 }
        let digestInfo = [UInt8](hex: "3031300D060960864801650304020105000420")! + [UInt8](repeating: 0x11, count: 32)
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C020018")
        _ = try send(card, "002000800431323334")
        _ = try send(card, "00A4020C020017")
        var response = try send(card, "802A0080" + String(format: "%02X", digestInfo.count) + digestInfo.hexString + "00")
        var signature = response.data
        while let more = response.statusWord.moreDataAvailable {
            response = try send(card, String(format: "00C00000%02X", more & 0xFF))
            signature += response.data
        }
        #expect(response.statusWord.isSuccess)
        #expect(signature.count == 256)
    }

    @Test("a reader without extended length refuses an extended READ BINARY with 67 00")
    func noExtendedLength() throws {
        let card = try card { $0.extendedLength = false }
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C02000A")
        #expect(try send(card, "00B00000000400").statusWord == .wrongLength)
        #expect(try send(card, "00B0000000").data.count == 256)
    }

    @Test("an unknown setting or value in profile.json is refused, naming it")
    func unknownSetting() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("profile-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(at: Self.profiles.appendingPathComponent("healthy"), to: directory)
        let manifest = directory.appendingPathComponent("profile.json")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: manifest)) as? [String: Any])
        for (settings, named) in [(["readPastEnd": "sometimes"], "readPastEnd"), (["emptyVerifyAfterSucess": "success"], "emptyVerifyAfterSucess")] {
            object["settings"] = settings
            try JSONSerialization.data(withJSONObject: object).write(to: manifest)
            #expect { try CardProfile.load(from: directory) } throws: { "\($0)".contains(named) }
        }
        object["settings"] = ["readPastEnd": "iso", "maximumResponseLength": 128, "extendedLength": false]
        try JSONSerialization.data(withJSONObject: object).write(to: manifest)
        let settings = try CardProfile.load(from: directory).settings
        #expect(settings.readPastEnd == .iso && settings.maximumResponseLength == 128 && !settings.extendedLength)
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
        let verifySign = "0020008006" + [UInt8]("ABC123".utf8).hexString
        func signatureCertificateReadable() throws -> Bool {
            _ = try send(card, "00A4020C020001")
            return try send(card, "00B0000004").statusWord.isSuccess
        }
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C02001B")
        _ = try send(card, verifySign)
        #expect(try signatureCertificateReadable())
        _ = try send(card, selectJPKI)
        #expect(try !signatureCertificateReadable())
        _ = try send(card, "00A4020C02001B")
        _ = try send(card, verifySign)
        card.reset()
        _ = try send(card, selectJPKI)
        #expect(try !signatureCertificateReadable())
    }

    @Test("a signature leaves the key's PIN verified, or not, as securityAfterSignature says", arguments: CardSettings.SecurityAfterSignature.allCases)
    func securityAfterSignature(setting: CardSettings.SecurityAfterSignature) throws {
        let card = try card { $0.securityAfterSignature = setting }
        let digestInfo = [UInt8](hex: "3031300D060960864801650304020105000420")! + [UInt8](repeating: 0x22, count: 32)
        let sign = "802A0080" + String(format: "%02X", digestInfo.count) + digestInfo.hexString + "00"
        _ = try send(card, selectJPKI)
        _ = try send(card, "00A4020C020018")
        _ = try send(card, "002000800431323334")
        _ = try send(card, "00A4020C020017")
        #expect(try send(card, sign).statusWord.isSuccess)
        #expect(try send(card, sign).statusWord == (setting == .kept ? .success : .securityStatusNotSatisfied))
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
