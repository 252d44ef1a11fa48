import APDU
import CardEmulator
import CardIO
import CardSession
import Foundation
import JPKIApplet
import Testing

/// The PIN rules that keep a mistyped PIN from costing a try, on the in-memory emulated card.
@Suite("PIN rules")
struct PINRulesTests {
    let card = JPKIReadPathTests()

    /// Whether a VERIFY carrying a PIN, or a CHANGE REFERENCE DATA, reached the card.
    func sentAPIN(_ transport: EmulatedCardTransport) -> Bool {
        transport.sentCommands.contains { $0.count > 5 && ($0[1] == 0x20 || $0[1] == 0x24) }
    }

    @Test("a signing password typed in lower case is upper-cased and opens the signing key")
    func lowerCaseSigningPassword() throws {
        let transport = try card.transport()
        let jpki = try JPKISession(transport: transport)
        try jpki.verify(.jpkiSigning, pin: card.pin("abc123"))
        #expect(try !jpki.certificate(.signing).der.isEmpty)  // the card released what the password guards
        #expect(transport.sentCommands.contains { $0.suffix(6) == Array("ABC123".utf8) })
    }

    @Test("a new signing password without a digit or without a letter is refused before anything is sent",
          arguments: ["ABCDEFGH", "12345678", "abcdefgh"])
    func newSigningPasswordMixesLettersAndDigits(new: String) throws {
        let transport = try card.transport()
        let jpki = try JPKISession(transport: transport)
        #expect {
            try jpki.changePIN(.jpkiSigning, current: card.pin("ABC123"), new: card.pin(new))
        } throws: { error in
            guard case CardSessionError.invalidPINFormat(.jpkiSigning, let reason) = error else { return false }
            return reason.contains("at least one letter and one digit")
        }
        #expect(!sentAPIN(transport))
    }

    @Test("a new signing password may be typed in lower case: the card gets it upper-cased")
    func newSigningPasswordUpperCased() throws {
        let transport = try card.transport()
        let jpki = try JPKISession(transport: transport)
        try jpki.changePIN(.jpkiSigning, current: card.pin("abc123"), new: card.pin("new2pass"))
        #expect(transport.sentCommands.contains { $0[1] == 0x24 && $0.suffix(8) == Array("NEW2PASS".utf8) })
        try jpki.verify(.jpkiSigning, pin: card.pin("NEW2PASS"))
    }

    @Test("the current signing password needs no digit: only a new one must mix letters and digits")
    func currentPasswordIsNotHeldToTheNewRule() throws {
        var profile = try CardProfile.load(from: JPKIReadPathTests.profiles.appendingPathComponent("healthy"))
        let jpki = profile.applets.firstIndex { $0.name == "JPKI" }!
        profile.applets[jpki].files[PINKind.jpkiSigning.file]?.content = .pin(value: Array("LETTERS".utf8), maximumTries: 5, triesLeft: 5)
        let session = try JPKISession(transport: EmulatedCardTransport(card: EmulatedCard(profile: profile)))
        try session.verify(.jpkiSigning, pin: card.pin("letters"))
        #expect(try !session.certificate(.signing).der.isEmpty)  // the card released what the password guards
    }

    @Test("a card pulled out while a PIN is checked: the error says the try may have counted and to run pin status")
    func pulledDuringVerify() throws {
        let transport = try card.transport()
        let jpki = try JPKISession(transport: transport)
        // SELECT applet and the retry query (by EF 0018's short identifier) are answered; the VERIFY with the PIN is not.
        transport.removeAfterCommands = 2
        #expect {
            try jpki.verify(.jpkiAuthentication, pin: card.pin("1234"))
        } throws: { error in
            guard case CardSessionError.pinTryInterrupted(.jpkiAuthentication, .cardRemoved) = error else { return false }
            let text = "\(error)"
            return text.contains("may have counted this try") && text.contains("mynacard pin status") && !text.contains("1234")
        }
    }

    @Test("a card pulled out while a PIN is changed: the error says either PIN may be in force")
    func pulledDuringChange() throws {
        let transport = try card.transport()
        let jpki = try JPKISession(transport: transport)
        // SELECT applet, the retry query, the VERIFY of the current PIN and SELECT EF 0018 are answered.
        transport.removeAfterCommands = 4
        #expect {
            try jpki.changePIN(.jpkiAuthentication, current: card.pin("1234"), new: card.pin("4321"))
        } throws: { error in
            guard case CardSessionError.pinChangeInterrupted(.jpkiAuthentication, .cardRemoved) = error else { return false }
            return "\(error)".contains("old or the new PIN may now be in force")
        }
    }
}

@Suite("Every PIN counter")
struct PINCounterTests {
    @Test("a card without the resident-registry applet lists the other seven")
    func withoutResidentRegistry() throws {
        var profile = try CardProfile.load(from: JPKIReadPathTests.profiles.appendingPathComponent("healthy"))
        profile.applets.removeAll { $0.aid == CardApplet.residentRegistry.aid }
        let counters = try CardSession(transport: EmulatedCardTransport(card: EmulatedCard(profile: profile))).pinCounters()
        #expect(counters.count == 7)
        #expect(!counters.contains { $0.kind == .residentRegistry })
    }

    @Test("every PIN names its applet's file: 住基 EF 001C, text 照合番号A/B EF 0014/0015")
    func files() {
        #expect(PINKind.residentRegistry.applet == .residentRegistry && PINKind.residentRegistry.file == FileID(0x001C))
        #expect(PINKind.textMyNumber.file == FileID(0x0014) && PINKind.textBirthExpiryCode.file == FileID(0x0015))
        #expect(CardApplet.residentRegistry.aid == AID([0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00]))
    }
}
