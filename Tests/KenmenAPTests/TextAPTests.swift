import APDU
import CardEmulator
import CardSession
import Foundation
import KenmenAP
import Testing

/// The package's fixtures folder.
let fixtures: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("fixtures")
}()

/// An in-memory card made from `fixtures/profiles/<profile>`.
func emulatedCard(_ profile: String = "healthy") throws -> EmulatedCardTransport {
    EmulatedCardTransport(card: EmulatedCard(profile: try CardProfile.load(from: fixtures.appendingPathComponent("profiles/\(profile)"))))
}

func pin(_ text: String) -> PINCode {
    var bytes = Array(text.utf8)
    return PINCode(consuming: &bytes)
}

let textRoot = { try! rootPublicKey(pem: String(contentsOf: fixtures.appendingPathComponent("ca/text-root.pem"), encoding: .utf8)) }()

@Suite("My Number check digit")
struct MyNumberTests {
    @Test("the fixture's number and a published example have valid check digits")
    func validNumbers() {
        #expect(MyNumber("123456789018")?.hasValidCheckDigit == true)
        #expect(MyNumber("537686677188")?.hasValidCheckDigit == true)
    }

    @Test("a changed last digit is caught")
    func wrongCheckDigit() {
        #expect(MyNumber("123456789011")?.hasValidCheckDigit == false)
    }

    @Test("the number is masked unless asked for in full")
    func masking() throws {
        let number = try #require(MyNumber("123456789018"))
        #expect(number.masked == "**** **** 9018")
        #expect("\(number)" == "**** **** 9018")
        #expect(number.grouped == "1234 5678 9018")
    }

    @Test("only 12 digits make a My Number")
    func shape() {
        #expect(MyNumber("12345678901") == nil)
        #expect(MyNumber("12345678901A") == nil)
    }
}

@Suite("Text applet (券面事項入力補助AP)")
struct TextAPTests {
    @Test("after the text PIN, My Number and the 4 basic info are read")
    func readsHolderData() throws {
        let text = try TextAPSession(transport: emulatedCard())
        try text.verifyPIN(pin("1234"))
        let data = try text.readAll(root: textRoot)
        #expect(data.myNumber.digits == "123456789018")
        #expect(data.basicInfo.name == "番号　太郎")
        #expect(data.basicInfo.address == "東京都テスト区見本町１－２－３")
        #expect(data.basicInfo.birthDate.description == "1990-01-01")
        #expect(data.basicInfo.sex == .male)
    }

    @Test("the 4 basic info mask to the name's first character, the prefecture, and nothing of birth date or sex")
    func basicInfoMasking() throws {
        func info(name: String, address: String) throws -> BasicInfo {
            let fields = [TLV(tag: 0xDF22, value: Array(name.utf8)), TLV(tag: 0xDF23, value: Array(address.utf8)),
                          TLV(tag: 0xDF24, value: Array("19900101".utf8)), TLV(tag: 0xDF25, value: Array("2".utf8))]
            let table = TLV(tag: 0xDF21, value: [UInt8](repeating: 0, count: 8))
            return try BasicInfo(file: TLV(tag: 0xFF20, value: ([table] + fields).flatMap(\.encoded)).encoded)
        }
        let tokyo = try info(name: "番号　太郎", address: "東京都テスト区見本町１－２－３")
        #expect(tokyo.maskedName == "番＊＊")
        #expect(tokyo.maskedAddress == "東京都＊＊＊")
        #expect(try info(name: "見本　花子", address: "神奈川県横浜市").maskedAddress == "神奈川県＊＊＊")
        #expect(try info(name: "見本　花子", address: "テスト町").maskedAddress == "テスト＊＊＊")
        #expect(!"\(tokyo)".contains("太郎"))
        #expect(!String(reflecting: tokyo).contains("1990"))
    }

    @Test("without the PIN the card refuses and the error says which PIN")
    func needsPIN() throws {
        let text = try TextAPSession(transport: emulatedCard())
        #expect(throws: CardSessionError.pinRequired(.textInputAssist, during: "reading the My Number file")) { try text.myNumber() }
    }

    @Test("a wrong text PIN leaves two tries")
    func wrongPIN() throws {
        let text = try TextAPSession(transport: emulatedCard())
        #expect(throws: CardSessionError.wrongPIN(.textInputAssist, triesLeft: 2)) { try text.verifyPIN(pin("9999")) }
        #expect(try text.pinStatus() == .remaining(2))
    }

    @Test("with one try left the text PIN is not sent unless forced")
    func lastTryGuard() throws {
        let transport = try emulatedCard()
        let text = try TextAPSession(transport: transport)
        for left in [2, 1] {
            #expect(throws: CardSessionError.wrongPIN(.textInputAssist, triesLeft: left)) { try text.verifyPIN(pin("9999")) }
        }
        let sent = transport.sentCommands.count
        #expect(throws: CardSessionError.lastTryRefused(.textInputAssist)) { try text.verifyPIN(pin("1234")) }
        #expect(!transport.sentCommands.dropFirst(sent).contains { $0.count > 5 && $0[1] == 0x20 }, "no PIN was sent")
        try text.verifyPIN(pin("1234"), force: true)
        #expect(try text.myNumber().digits == "123456789018")
    }

    @Test("healthy data is genuine against the test root")
    func genuine() throws {
        let text = try TextAPSession(transport: emulatedCard())
        try text.verifyPIN(pin("1234"))
        let report = try text.readAll(root: textRoot).authenticity
        #expect(report.result == .genuine)
        #expect(report.myNumberHashMatches && report.basicInfoHashMatches && report.signatureMatchesCardKey)
        #expect(report.certificateSignedByRoot == true)
    }

    @Test("without a root key the hashes are still checked, but the verdict is cannot-check")
    func noRoot() throws {
        let text = try TextAPSession(transport: emulatedCard())
        try text.verifyPIN(pin("1234"))
        let report = try text.readAll(root: nil).authenticity
        #expect(report.result.code == "cannot-check")
        #expect(report.result.reason?.contains("no root key") == true)
        #expect(report.basicInfoHashMatches)
        #expect(report.certificateSignedByRoot == nil)
    }

    @Test("a changed name is not genuine, even without a root key")
    func tampered() throws {
        for root in [textRoot, nil] {
            let text = try TextAPSession(transport: emulatedCard("tampered-text"))
            try text.verifyPIN(pin("1234"))
            let data = try text.readAll(root: root)
            #expect(data.basicInfo.name == "番号　次郎")
            #expect(data.authenticity.result.code == "not-genuine")
            #expect(!data.authenticity.basicInfoHashMatches)
            #expect(data.authenticity.myNumberHashMatches)
        }
    }

    @Test("a My Number with a wrong check digit is reported, and fails its signed hash")
    func wrongCheckDigitOnCard() throws {
        var profile = try CardProfile.load(from: fixtures.appendingPathComponent("profiles/healthy"))
        let text = try #require(profile.applets.firstIndex { $0.aid == CardApplet.textInputAssist.aid })
        let file = FileID(0x0001)
        profile.applets[text].files[file]?.content = .binary([0xFF, 0x10, 0x0C] + Array("123456789011".utf8) + [0xFF, 0xFF])
        let session = try TextAPSession(transport: EmulatedCardTransport(card: EmulatedCard(profile: profile)))
        try session.verifyPIN(pin("1234"))
        let data = try session.readAll(root: textRoot)
        #expect(!data.myNumber.hasValidCheckDigit)
        #expect(!data.authenticity.myNumberHashMatches)
        #expect(data.authenticity.result.code == "not-genuine")
    }

    @Test("a root that did not sign the card's key certificate makes the data not genuine")
    func wrongRoot() throws {
        let faceRoot = try rootPublicKey(pem: String(contentsOf: fixtures.appendingPathComponent("ca/face-root.pem"), encoding: .utf8))
        let text = try TextAPSession(transport: emulatedCard())
        try text.verifyPIN(pin("1234"))
        let report = try text.readAll(root: faceRoot).authenticity
        #expect(report.certificateSignedByRoot == false)
        #expect(report.result.code == "not-genuine")
    }
}

@Suite("Root keys")
struct RootKeyTests {
    @Test("what is not a usable RSA root is refused with a reason a person can act on", arguments: [
        ("hello", "no -----BEGIN line"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "no usable RSA key"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "cannot be parsed"),
    ])
    func refused(pem: String, reason: String) {
        #expect {
            try rootPublicKey(pem: pem)
        } throws: { error in
            "\(error)".contains(reason) && !"\(error)".contains("Error(")
        }
    }

    @Test("a certificate or a public key PEM both give the root key")
    func accepted() throws {
        _ = try rootPublicKey(pem: String(contentsOf: fixtures.appendingPathComponent("ca/text-root.pem"), encoding: .utf8))
        _ = try rootPublicKey(pem: String(contentsOf: fixtures.appendingPathComponent("ca/text-signer-pubkey.pem"), encoding: .utf8))
    }
}
