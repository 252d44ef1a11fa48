import CardEmulator
import CardSession
import Foundation
import JPKIApplet
import Testing

/// The JPKI session on the in-memory emulated card.
@Suite("JPKI read path")
struct JPKIReadPathTests {
    static let profiles = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/profiles")

    func transport(_ profile: String = "healthy") throws -> EmulatedCardTransport {
        EmulatedCardTransport(card: EmulatedCard(profile: try CardProfile.load(from: Self.profiles.appendingPathComponent(profile))))
    }

    func pin(_ text: String) -> PINCode {
        var bytes = Array(text.utf8)
        return PINCode(consuming: &bytes)
    }

    @Test("the token label is JPKIAPICCTOKEN2")
    func tokenLabel() throws {
        #expect(try JPKISession(transport: transport()).tokenLabel() == "JPKIAPICCTOKEN2")
    }

    @Test("certificates read byte-identical to the profile and parse", arguments: JPKICertificateKind.allCases.filter { $0 != .signing })
    func certificates(kind: JPKICertificateKind) throws {
        let files: [JPKICertificateKind: String] = [.authentication: "auth-cert.der", .authenticationCA: "auth-ca.der", .signingCA: "sign-ca.der"]
        let certificate = try JPKISession(transport: transport()).certificate(kind)
        let expected = try Data(contentsOf: Self.profiles.appendingPathComponent("healthy/jpki/" + files[kind]!))
        #expect(certificate.der == [UInt8](expected))
    }

    @Test("the signature certificate asks for the signing PIN first")
    func signCertificateNeedsPIN() throws {
        let jpki = try JPKISession(transport: transport())
        #expect(throws: CardSessionError.pinRequired(.jpkiSigning, during: "reading the signature certificate (署名用電子証明書)")) {
            try jpki.certificate(.signing)
        }
        try jpki.verify(.jpkiSigning, pin: pin("ABC123"))
        #expect(try jpki.certificate(.signing).certificate.subject.description.contains("C=JP"))
    }

    @Test("reading the retry counters spends no try")
    func countersAreFree() throws {
        let jpki = try JPKISession(transport: transport())
        for _ in 0..<5 {
            #expect(try jpki.pinStatus(.jpkiAuthentication) == .remaining(3))
            #expect(try jpki.pinStatus(.jpkiSigning) == .remaining(5))
        }
    }

    @Test("the card's eight PIN counters are read in one sweep, without spending a try: JPKI, text PIN and 照合番号A/B, card face A/B, 住基")
    func allCounters() throws {
        let transport = try transport("last-try")
        let counters = try CardSession(transport: transport).pinCounters()
        #expect(counters.map(\.kind) == [.jpkiAuthentication, .jpkiSigning, .textInputAssist, .textMyNumber, .textBirthExpiryCode,
                                         .faceMyNumber, .faceBirthExpiryCode, .residentRegistry])
        #expect(counters.map(\.status) == [.remaining(1), .remaining(1), .remaining(3), .remaining(10), .remaining(10),
                                           .remaining(10), .remaining(10), .remaining(3)])
        #expect(!transport.sentCommands.contains { $0.count > 5 && $0[1] == 0x20 })
    }

    @Test("a wrong auth PIN leaves two tries")
    func wrongPIN() throws {
        let jpki = try JPKISession(transport: transport())
        #expect(throws: CardSessionError.wrongPIN(.jpkiAuthentication, triesLeft: 2)) { try jpki.verify(.jpkiAuthentication, pin: pin("9999")) }
        #expect(try jpki.pinStatus(.jpkiAuthentication) == .remaining(2))
    }

    @Test("with one try left the guard refuses without sending the PIN")
    func lastTryRefused() throws {
        let transport = try transport("last-try")
        let jpki = try JPKISession(transport: transport)
        #expect(throws: CardSessionError.lastTryRefused(.jpkiAuthentication)) { try jpki.verify(.jpkiAuthentication, pin: pin("9999")) }
        #expect(!transport.sentCommands.contains { $0.count > 5 && $0[1] == 0x20 })
        #expect(try jpki.pinStatus(.jpkiAuthentication) == .remaining(1))
    }

    @Test("with --force the last try is sent, and the right PIN restores the tries")
    func lastTryForced() throws {
        let jpki = try JPKISession(transport: transport("last-try"))
        try jpki.verify(.jpkiAuthentication, pin: pin(String(cString: "1234")), force: true)
        #expect(try jpki.pinStatus(.jpkiAuthentication) == .remaining(3))
    }

    @Test("a blocked PIN is reported as blocked and nothing is sent")
    func blocked() throws {
        let transport = try transport("blocked-pin")
        let jpki = try JPKISession(transport: transport)
        #expect(throws: CardSessionError.pinBlocked(.jpkiAuthentication)) { try jpki.verify(.jpkiAuthentication, pin: pin("1234"), force: true) }
        #expect(!transport.sentCommands.contains { $0.count > 5 && $0[1] == 0x20 })
    }

    @Test("a PIN of the wrong shape never reaches the card", arguments: ["123", "12345", "12a4", "ab-123"])
    func badFormat(text: String) throws {
        let transport = try transport()
        let jpki = try JPKISession(transport: transport)
        let kind: PINKind = text.count == 6 ? .jpkiSigning : .jpkiAuthentication
        #expect(throws: CardSessionError.self) { try jpki.verify(kind, pin: pin(text)) }
        #expect(!transport.sentCommands.contains { $0.count > 5 && $0[1] == 0x20 })
    }

    @Test("a PIN never shows in its descriptions")
    func pinRedacted() {
        let secret = pin("1234")
        #expect("\(secret)" == "PIN(redacted)")
        #expect(String(reflecting: secret) == "PIN(redacted)")
        #expect(!"\(CardSessionError.wrongPIN(.jpkiAuthentication, triesLeft: 2))".contains("1234"))
    }
}

/// Card data that lies about its size is an error, never a crash.
@Suite("Corrupt card data")
struct CorruptCardDataTests {
    @Test("a certificate header claiming more than a card file can hold is reported, not read")
    func oversizedHeader() throws {
        var profile = try CardProfile.load(from: JPKIReadPathTests.profiles.appendingPathComponent("healthy"))
        let jpki = profile.applets.firstIndex { $0.name == "JPKI" }!
        profile.applets[jpki].files[JPKICertificateKind.authentication.file]?.content = .binary([0x30, 0x83, 0x7F, 0xFF, 0xFF, 0x00, 0x00, 0x00])
        let session = try JPKISession(transport: EmulatedCardTransport(card: EmulatedCard(profile: profile)))
        #expect(throws: CardSessionError.self) { try session.certificate(.authentication) }
    }

    @Test("a certificate file that is not a certificate is reported as malformed")
    func notACertificate() throws {
        var profile = try CardProfile.load(from: JPKIReadPathTests.profiles.appendingPathComponent("healthy"))
        let jpki = profile.applets.firstIndex { $0.name == "JPKI" }!
        profile.applets[jpki].files[JPKICertificateKind.authentication.file]?.content = .binary([0x30, 0x03, 0x02, 0x01, 0x05])
        let session = try JPKISession(transport: EmulatedCardTransport(card: EmulatedCard(profile: profile)))
        #expect {
            try session.certificate(.authentication)
        } throws: { error in
            guard case CardSessionError.malformedData(let why) = error else { return false }
            return why.contains("not a valid X.509 certificate")
        }
    }
}
