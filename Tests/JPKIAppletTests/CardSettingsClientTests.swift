import APDU
import CardEmulator
import CardIO
import CardSession
import Foundation
import JPKIApplet
import Testing

/// An in-memory card from a profile, with its settings changed by `configure`.
func emulatedCard(_ profile: String = "healthy", _ configure: (inout CardSettings) -> Void = { _ in }) throws -> EmulatedCardTransport {
    var loaded = try CardProfile.load(from: packageRoot.appendingPathComponent("fixtures/profiles/\(profile)"))
    configure(&loaded.settings)
    return EmulatedCardTransport(card: EmulatedCard(profile: loaded))
}

/// The bytes of a profile file.
func profileFile(_ profile: String, _ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: packageRoot.appendingPathComponent("fixtures/profiles/\(profile)/\(path)")))
}

/// Whether a sent command is a VERIFY carrying a PIN.
func isVerifyWithPIN(_ command: [UInt8]) -> Bool { command.count > 5 && command[1] == 0x20 }

/// Reading files whole under every way a card or reader may answer READ BINARY.
@Suite("Reading under every card and reader setting")
struct ReadingUnderSettingsTests {
    static let readers: [(maximum: Int, answer: CardSettings.OverLimitAnswer, extended: Bool)] = [
        (65536, .wrongLength, true), (65536, .wrongLength, false), (256, .wrongLength, true),
        (255, .wrongLength, false), (128, .wrongLength, true), (128, .correctLength, false), (100, .correctLength, true),
    ]

    @Test("a certificate reads byte-identical whatever the end of a file and the reader's limits look like",
          arguments: CardSettings.ReadPastEnd.allCases, readers.indices)
    func certificateReads(pastEnd: CardSettings.ReadPastEnd, reader: Int) throws {
        let limits = Self.readers[reader]
        let transport = try emulatedCard {
            $0.readPastEnd = pastEnd
            $0.maximumResponseLength = limits.maximum
            $0.overLimitAnswer = limits.answer
            $0.extendedLength = limits.extended
        }
        let jpki = try JPKISession(transport: transport)
        for (kind, file) in [(JPKICertificateKind.authentication, "jpki/auth-cert.der"), (.authenticationCA, "jpki/auth-ca.der")] {
            #expect(try jpki.certificate(kind).der == profileFile("healthy", file))
        }
        #expect(try jpki.tokenLabel() == "JPKIAPICCTOKEN2")
        #expect(try jpki.certificateAvailability().raw == [0x8F, 0x8F, 0x00])
    }

    @Test("where the reader takes extended length, a certificate costs a SELECT, its header and one read")
    func extendedRead() throws {
        let transport = try emulatedCard()
        let jpki = try JPKISession(transport: transport)
        let before = transport.sentCommands.count
        _ = try jpki.certificate(.authentication)
        #expect(transport.sentCommands.count - before == 3)
    }

    @Test("a reader that refuses 256-byte answers costs its refusals once per session, not once per read")
    func learnsTheLimit() throws {
        let transport = try emulatedCard {
            $0.maximumResponseLength = 128
            $0.extendedLength = false
        }
        let jpki = try JPKISession(transport: transport)
        _ = try jpki.certificate(.authentication)
        let refusals = { transport.sentCommands.count }
        let first = refusals()
        _ = try jpki.certificate(.authentication)
        let again = refusals() - first
        let certificateLength = try profileFile("healthy", "jpki/auth-cert.der").count
        // SELECT, the 8-byte header, then the rest in 128-byte chunks: no more 67 00.
        #expect(again == 2 + (certificateLength - 8 + 127) / 128)
    }

    @Test("a file shorter than the header read is read whole under each end-of-file answer", arguments: CardSettings.ReadPastEnd.allCases)
    func shortTLVFile(pastEnd: CardSettings.ReadPastEnd) throws {
        var profile = try CardProfile.load(from: packageRoot.appendingPathComponent("fixtures/profiles/healthy"))
        profile.settings.readPastEnd = pastEnd
        let jpki = try #require(profile.applets.firstIndex { $0.name == "JPKI" })
        profile.applets[jpki].files[FileID(0x000B)]?.content = .binary([0x30, 0x03, 0x02, 0x01, 0x05])
        let session = try JPKISession(transport: EmulatedCardTransport(card: EmulatedCard(profile: profile)))
        #expect(try session.certificateDER(.authenticationCA) == [0x30, 0x03, 0x02, 0x01, 0x05])
    }
}

/// Retry queries under every answer the sources report.
@Suite("Retry counters under every card setting")
struct RetryCounterSettingsTests {
    @Test("a retry query costs one APDU by short EF identifier, and two on a card that does not take them", arguments: [true, false])
    func shortIdentifier(enabled: Bool) throws {
        let transport = try emulatedCard { $0.shortFileIdentifiers = enabled }
        let jpki = try JPKISession(transport: transport)
        var before = transport.sentCommands.count
        #expect(try jpki.pinStatus(.jpkiAuthentication) == .remaining(3))
        #expect(transport.sentCommands.count - before == (enabled ? 1 : 3))  // the refused query, SELECT, VERIFY
        before = transport.sentCommands.count
        #expect(try jpki.pinStatus(.jpkiSigning) == .remaining(5))
        #expect(transport.sentCommands.count - before == (enabled ? 1 : 2))  // learnt: no more short identifiers
    }

    @Test("a PIN is sent to its own file even after a retry query by short EF identifier: by that identifier, or after a SELECT",
          arguments: [true, false])
    func pinGoesToItsFile(shortIdentifiers: Bool) throws {
        let transport = try emulatedCard { $0.shortFileIdentifiers = shortIdentifiers }
        let jpki = try JPKISession(transport: transport)
        _ = try jpki.certificate(.authentication)  // leaves EF 000A selected
        try jpki.verify(.jpkiAuthentication, pin: pin("1234"))
        let verify = try #require(transport.sentCommands.lastIndex(where: isVerifyWithPIN))
        if shortIdentifiers {
            // The card has just answered the retry query by EF 0018's short identifier: the PIN goes the same way.
            #expect(Array(transport.sentCommands[verify].prefix(4)) == [0x00, 0x20, 0x00, 0x80 | 0x18])
        } else {
            #expect(transport.sentCommands[verify - 1] == [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18])
            #expect(Array(transport.sentCommands[verify].prefix(4)) == [0x00, 0x20, 0x00, 0x80])
        }
    }

    @Test("a blocked PIN is blocked whichever way the card answers the query", arguments: CardSettings.BlockedPINAnswer.allCases)
    func blocked(answer: CardSettings.BlockedPINAnswer) throws {
        let transport = try emulatedCard("blocked-pin") { $0.blockedPINAnswer = answer }
        let jpki = try JPKISession(transport: transport)
        #expect(try jpki.pinStatus(.jpkiAuthentication) == .blocked)
        #expect(throws: CardSessionError.pinBlocked(.jpkiAuthentication)) { try jpki.verify(.jpkiAuthentication, pin: pin("1234"), force: true) }
        #expect(!transport.sentCommands.contains(where: isVerifyWithPIN))
    }

    @Test("no command depends on seeing \"verified\": the PIN guard and a change work with either empty-VERIFY answer",
          arguments: CardSettings.EmptyVerifyAfterSuccess.allCases)
    func emptyVerifyAfterSuccess(answer: CardSettings.EmptyVerifyAfterSuccess) throws {
        let transport = try emulatedCard { $0.emptyVerifyAfterSuccess = answer }
        let jpki = try JPKISession(transport: transport)
        try jpki.verify(.jpkiSigning, pin: pin("ABC123"))
        #expect(try jpki.pinStatus(.jpkiSigning) == (answer == .success ? .verified : .remaining(5)))
        try jpki.verify(.jpkiSigning, pin: pin("ABC123"))
        #expect(try jpki.certificate(.signing).certificate.subject.description.contains("C=JP"))
        try jpki.changePIN(.jpkiSigning, current: pin("ABC123"), new: pin("NEWPASS9"))
        transport.card.reset()
        try JPKISession(transport: transport).verify(.jpkiSigning, pin: pin("NEWPASS9"))
    }

    @Test("a PIN with no retry limit (63 00) is shown as such and does not stop a command")
    func unlimited() throws {
        var profile = try CardProfile.load(from: packageRoot.appendingPathComponent("fixtures/profiles/healthy"))
        let text = try #require(profile.applets.firstIndex { $0.name == "TextAP" })
        profile.applets[text].files[FileID(0x0011)]?.content = .unlimitedPIN(value: Array("1234".utf8))
        let transport = EmulatedCardTransport(card: EmulatedCard(profile: profile))
        let counters = try CardSession(transport: transport).pinCounters()
        #expect(counters.first { $0.kind == .textInputAssist }?.status == .unlimited)
        #expect(counters.first { $0.kind == .textInputAssist }?.status?.triesLeft == nil)
        let session = CardSession(transport: transport)
        try session.select(.textInputAssist)
        try session.verifyPIN(pin("1234"), kind: .textInputAssist, force: false)
    }

    @Test("a PIN the card says does not exist (6A 88) is not set: nothing is sent", arguments: CardSettings.UnsetPINAnswer.allCases)
    func notSet(answer: CardSettings.UnsetPINAnswer) throws {
        let transport = try emulatedCard("no-pins") { $0.unsetPINAnswer = answer }
        let jpki = try JPKISession(transport: transport)
        let expected: PINStatus = answer == .referencedDataNotFound ? .notSet : .blocked
        #expect(try jpki.pinStatus(.jpkiAuthentication) == expected)
        #expect(throws: answer == .referencedDataNotFound ? CardSessionError.pinNotSet(.jpkiAuthentication) : .pinBlocked(.jpkiAuthentication)) {
            try jpki.verify(.jpkiAuthentication, pin: pin("1234"))
        }
        #expect(!transport.sentCommands.contains(where: isVerifyWithPIN))
    }
}

/// The card variants, as the library sees them.
@Suite("Card variants in the library")
struct CardVariantLibraryTests {
    @Test("a card without the signature certificate says so before any PIN is asked")
    func noSignatureCertificate() throws {
        let transport = try emulatedCard("no-sign-cert")
        let jpki = try JPKISession(transport: transport)
        #expect(try !jpki.certificateAvailability().isIssued(.signing))
        #expect(try jpki.certificateAvailability().isIssued(.authentication))
        #expect {
            _ = try JPKISession.certificate(.signing, on: jpki.session, force: false,
                                            entry: PINEntry(mayWait: true) { _, _ in Issue.record("the PIN was asked for"); return pin("ABC123") })
        } throws: { error in
            guard case CardSessionError.notIssued(let why) = error else { return false }
            return why.contains("without a signature certificate")
        }
        #expect(throws: CardSessionError.self) {
            _ = try JPKISigner(session: jpki.session, key: .signing,
                               entry: PINEntry(mayWait: true) { _, _ in Issue.record("the PIN was asked for"); return pin("ABC123") })
        }
        #expect(!transport.sentCommands.contains(where: isVerifyWithPIN))
        let counters = try CardSession(transport: transport).pinCounters()
        #expect(counters.first { $0.kind == .jpkiSigning }?.status == nil)
        #expect(counters.first { $0.kind == .jpkiAuthentication }?.status == .remaining(3))
    }

    @Test("a smartphone token releases the authentication certificate only after the authentication PIN, asked once")
    func smartphoneToken() throws {
        let transport = try emulatedCard("smartphone-token")
        let jpki = try JPKISession(transport: transport)
        #expect(try jpki.tokenKind() == .androidSmartphone)
        #expect(throws: CardSessionError.pinRequired(.jpkiAuthentication, during: "reading the authentication certificate (利用者証明用電子証明書)")) {
            try jpki.certificate(.authentication)
        }
        var asked: [PINKind] = []
        let certificate = try JPKISession.certificate(.authentication, on: jpki.session, force: false,
                                                      entry: PINEntry(mayWait: true) { kind, _ in asked.append(kind); return pin("1234") })
        #expect(asked == [.jpkiAuthentication])
        #expect(certificate.der == (try profileFile("smartphone-token", "jpki/auth-cert.der")))
    }

    @Test("the card is judged by its applets and token label", arguments: [
        ("healthy", "my-number-card"), ("smartphone-token", "smartphone"), ("unknown-applets", "not-current-generation"),
    ])
    func diagnosis(profile: String, expected: String) throws {
        let session = CardSession(transport: try emulatedCard(profile))
        var present: Set<CardApplet> = []
        for applet in CardApplet.allCases where try session.hasApplet(applet.aid) { present.insert(applet) }
        let token = present.contains(.jpki) ? try JPKISession(session: session).tokenKind() : nil
        #expect(CardDiagnosis(applets: present, token: token).code == expected)
    }

    @Test("a card whose user PINs are all unusable and that has no signature certificate looks issued without PINs")
    func issuedWithoutPINs() throws {
        for answer in CardSettings.UnsetPINAnswer.allCases {
            let transport = try emulatedCard("no-pins") { $0.unsetPINAnswer = answer }
            let verdict = IssuedWithoutPINs(counters: try CardSession(transport: transport).pinCounters(), signatureCertificateIssued: false)
            #expect(verdict.suspected)
            #expect(verdict.confirmed == (answer == .referencedDataNotFound))
            #expect(verdict.explanation?.contains("顔認証マイナンバーカード") == true)
        }
        let blocked = try CardSession(transport: emulatedCard("blocked-pin")).pinCounters()
        #expect(!IssuedWithoutPINs(counters: blocked, signatureCertificateIssued: true).suspected)
    }
}

@Suite("Answer to reset")
struct CardATRListTests {
    @Test("every ATR real My Number cards are known to present is recognised, with its interface", arguments: [
        ("3BC5FF8131FB458073C6010000", CardATR.Interface.contact),
        ("3BDA13FF8131FB468012392F31C173C601C03B", .contact),
        ("3BF59100FF918171FE400042000100D1D6", .contactless),
        ("3BF59100FF918171FE4000420001B3A115", .contactless),
        ("3B888001000005E0B381A1007F", .contactless),
        ("3B888001000041E0B381A1003B", .contactless),
        ("3B888001004B51FF0081D100BC", .contactless),
        ("3B888001004B51FFB381D1000F", .contactless),
    ])
    func myNumberCard(hex: String, interface: CardATR.Interface) throws {
        let atr = CardATR(try #require([UInt8](hex: hex)))
        #expect(atr.card == .myNumberCard)
        #expect(atr.isKnownMyNumberCard)
        #expect(atr.interface == interface)
        #expect(!atr.note.contains("not the usual"))
    }

    @Test("the 住基カード's ATRs are told apart; an NFC reader's ATR with a random PUPI is contactless; others are other")
    func others() throws {
        #expect(CardATR([0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14]).card == .residentRegistryCard)
        #expect(CardATR(try #require([UInt8](hex: "3B888001000014E0B38191005E"))).card == .residentRegistryCard)
        let pupi = CardATR(try #require([UInt8](hex: "3B8880015A3C9E71B381A10013")))
        #expect(pupi.interface == .contactless && pupi.card == .unknown)
        #expect(CardATR([0x3B, 0x6F, 0x00, 0x00, 0x80]).interface == .other)
        #expect(CardATR([]).card == .unknown)
    }
}
