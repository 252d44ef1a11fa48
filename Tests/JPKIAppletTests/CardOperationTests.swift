import APDU
import CardEmulator
import CardIO
import CardSession
import JPKIApplet
import Testing

/// Card operations: one transaction each, every command inside it, and no verified PIN left when it ends.
@Suite("Card operations")
struct CardOperationTests {
    let selectJPKI = try? CommandAPDU.select(applet: CardApplet.jpki.aid).encoded()

    @Test("an operation ends its transaction even when its work fails, and logs out the PIN sent before")
    func endsOnFailure() throws {
        let transport = try emulatedCard()
        let session = CardSession(transport: transport)
        #expect(throws: CardSessionError.malformedData("the work failed")) {
            try session.withPIN(.jpkiAuthentication, force: false, entry: .inHand(pin("1234"))) {
                throw CardSessionError.malformedData("the work failed")
            }
        }
        #expect(!transport.isInTransaction && transport.transactions == 1 && transport.resets == 0)
        #expect(transport.commandsOutsideTransaction == 0)
        #expect(transport.sentCommands.last == selectJPKI)
        // Logged out: the key refuses to sign.
        let jpki = try JPKISession(transport: transport)
        #expect(throws: CardSessionError.pinRequired(.jpkiAuthentication, during: "signing with the auth key")) {
            try jpki.sign(digestInfo: JPKIHashAlgorithm.sha256.hash([1]).digestInfo, with: .authentication)
        }
    }

    @Test("an operation that sent no PIN leaves the card as it was: no log-out, no reset")
    func nothingToLogOut() throws {
        let transport = try emulatedCard()
        let session = CardSession(transport: transport)
        let counters = try session.operation { try session.pinCounters() }
        #expect(counters.count == 8)
        #expect(transport.transactions == 1 && transport.resets == 0 && transport.commandsOutsideTransaction == 0)
        #expect(transport.sentCommands.filter { $0 == selectJPKI }.count == 1)
    }

    @Test("a wrong PIN leaves nothing verified: no log-out is needed for it")
    func wrongPINNeedsNoLogOut() throws {
        let transport = try emulatedCard()
        let session = CardSession(transport: transport)
        #expect(throws: CardSessionError.wrongPIN(.jpkiAuthentication, triesLeft: 2)) {
            try session.withPIN(.jpkiAuthentication, force: false, entry: .inHand(pin("9999"))) {}
        }
        #expect(transport.sentCommands.last.map(isVerifyWithPIN) == true)
    }

    @Test("when the log-out cannot be sent, the operation ends with a reset of the card instead")
    func resetWhenLogOutFails() throws {
        let transport = try emulatedCard()
        let session = CardSession(transport: transport)
        // SELECT, the retry query and the VERIFY are answered; the log-out's SELECT is not.
        transport.removeAfterCommands = 3
        try session.withPIN(.jpkiAuthentication, force: false, entry: .inHand(pin("1234"))) {}
        #expect(transport.resets == 1)
    }

    @Test("a PIN that may wait is obtained between two operations, with the card free, and sent in the second")
    func pinObtainedBetweenOperations() throws {
        let transport = try emulatedCard()
        let session = CardSession(transport: transport)
        var heldWhileAsked: Bool?
        let entry = PINEntry(mayWait: true) { _, status in
            heldWhileAsked = transport.isInTransaction
            #expect(status == .remaining(3))
            return pin("1234")
        }
        try session.withPIN(.jpkiAuthentication, force: false, entry: entry) {}
        #expect(heldWhileAsked == false)
        #expect(transport.transactions == 2 && transport.commandsOutsideTransaction == 0)
    }

    @Test("a counter that went down while the PIN was obtained: nothing is sent")
    func counterWentDown() throws {
        let transport = try emulatedCard()
        let session = CardSession(transport: transport)
        let entry = PINEntry(mayWait: true) { _, _ in
            // Another program tries a wrong PIN meanwhile.
            _ = try? JPKISession(transport: transport).verify(.jpkiAuthentication, pin: pin("9999"))
            return pin("1234")
        }
        #expect(throws: CardSessionError.counterChanged(.jpkiAuthentication, .remaining(2))) {
            try session.withPIN(.jpkiAuthentication, force: false, entry: entry) {}
        }
        #expect(transport.sentCommands.filter(isVerifyWithPIN).count == 1)  // only the other program's
    }
}
