import APDU
import CardEmulator
import CardIO
import CardSession
import Foundation
import JPKIApplet
import Testing
import X509

/// A transport that passes everything to an emulated card but may replace the card's answer to
/// COMPUTE DIGITAL SIGNATURE, as a faulty or hostile card would.
final class ForgingTransport: CardTransport {
    let inner: EmulatedCardTransport
    var forge: (([UInt8]) -> [UInt8])?
    init(_ inner: EmulatedCardTransport) { self.inner = inner }
    var readerName: String { inner.readerName }
    var atr: [UInt8] { inner.atr }
    var isCardPresent: Bool { inner.isCardPresent }
    func transmitRaw(_ command: [UInt8]) throws -> [UInt8] {
        let answer = try inner.transmitRaw(command)
        guard command.count > 2, command[0] == 0x80, command[1] == 0x2A, let forge else { return answer }
        return forge(answer)
    }
    func beginTransaction() throws { try inner.beginTransaction() }
    func endTransaction() throws { try inner.endTransaction() }
}

@Suite("Batch signing with JPKISigner")
struct JPKISignerTests {
    let content = (0..<3).map { Array("document \($0)".utf8) }

    @Test("a batch signs with one PIN entry and no extra try, whether the card keeps or drops the key's security status",
          arguments: CardSettings.SecurityAfterSignature.allCases, JPKIKey.allCases)
    func batch(setting: CardSettings.SecurityAfterSignature, key: JPKIKey) throws {
        let transport = try emulatedCard { $0.securityAfterSignature = setting }
        var asked = 0
        let signer = try JPKISigner(session: CardSession(transport: transport), key: key, entry: PINEntry(mayWait: false) { _, _ in
            asked += 1
            return pin(key == .authentication ? "1234" : "ABC123")
        })
        for document in content {
            let digest = JPKIHashAlgorithm.sha256.hash(document)
            let signature = try signer.sign(digest)
            #expect(RawSignature.verify(signature: signature, contentDigest: digest, certificate: signer.certificate) == .valid)
        }
        signer.finish()
        #expect(asked == 1)
        let verifies = transport.sentCommands.filter(isVerifyWithPIN).count
        #expect(verifies == (setting == .kept ? 1 : content.count))
        // One card operation, every command inside it, ending with the log-out (the applet selected again), no reset.
        #expect(transport.commandsOutsideTransaction == 0 && transport.transactions == 1 && transport.resets == 0)
        #expect(transport.sentCommands.last == (try CommandAPDU.select(applet: CardApplet.jpki.aid).encoded()))
        #expect(try JPKISession(transport: transport).pinStatus(key.pin) == .remaining(key.pin.maximumTries))
    }

    @Test("a card whose retry query answers 90 00 after the VERIFY and that drops the key after each signature: one PIN entry")
    func verifiedAnswerAndDroppedKey() throws {
        let transport = try emulatedCard {
            $0.emptyVerifyAfterSuccess = .success
            $0.securityAfterSignature = .dropped
        }
        var asked = 0
        let signer = try JPKISigner(session: CardSession(transport: transport), key: .authentication,
                                    entry: PINEntry(mayWait: false) { _, _ in asked += 1; return pin("1234") })
        for document in content { _ = try signer.sign(JPKIHashAlgorithm.sha384.hash(document)) }
        signer.finish()
        #expect(asked == 1)
    }

    @Test("the PIN rules apply: a signing password typed in lower case signs, and is kept as the card wants it")
    func pinRules() throws {
        let transport = try emulatedCard { $0.securityAfterSignature = .dropped }
        let signer = try JPKISigner(session: CardSession(transport: transport), key: .signing, entry: .inHand(pin("abc123")))
        for document in content { _ = try signer.sign(JPKIHashAlgorithm.sha256.hash(document)) }
        #expect(transport.sentCommands.filter(isVerifyWithPIN).allSatisfy { $0.suffix(6) == Array("ABC123".utf8) })
    }

    @Test("after finish the PIN is logged out on the card and forgotten: the key does not sign again, and the card wants the PIN")
    func finishLogsOut() throws {
        let transport = try emulatedCard()
        var asked = 0
        let signer = try JPKISigner(session: CardSession(transport: transport), key: .authentication,
                                    entry: PINEntry(mayWait: false) { _, _ in asked += 1; return pin("1234") })
        _ = try signer.sign(JPKIHashAlgorithm.sha256.hash([1]))
        signer.finish()
        #expect(throws: CardSessionError.pinRequired(.jpkiAuthentication, during: "signing with the auth key")) {
            try signer.sign(JPKIHashAlgorithm.sha256.hash([2]))
        }
        #expect(asked == 1)
    }

    @Test("the guard still applies: a blocked PIN or the last try is refused before the PIN is asked")
    func guardApplies() throws {
        #expect(throws: CardSessionError.pinBlocked(.jpkiAuthentication)) {
            _ = try JPKISigner(session: CardSession(transport: emulatedCard("blocked-pin")), key: .authentication,
                               entry: PINEntry(mayWait: true) { _, _ in Issue.record("the PIN was asked for"); return pin("1234") })
        }
        #expect(throws: CardSessionError.lastTryRefused(.jpkiSigning)) {
            _ = try JPKISigner(session: CardSession(transport: emulatedCard("last-try")), key: .signing,
                               entry: PINEntry(mayWait: true) { _, _ in Issue.record("the PIN was asked for"); return pin("ABC123") })
        }
    }

    @Test("an answer of the wrong length or one that does not verify is an error, never a signature", arguments: [65000, 256, 255])
    func forgedAnswers(length: Int) throws {
        let transport = ForgingTransport(try emulatedCard())
        let signer = try JPKISigner(session: CardSession(transport: transport), key: .authentication, entry: .inHand(pin("1234")))
        transport.forge = { _ in [UInt8](repeating: 0x5A, count: length) + [0x90, 0x00] }
        #expect {
            _ = try signer.sign(JPKIHashAlgorithm.sha256.hash([1, 2, 3]))
        } throws: { error in
            guard case CardSessionError.malformedData(let why) = error else { return false }
            return length == 256 ? why.contains("does not verify") : why.contains("\(length) bytes")
        }
    }

    @Test("a signature from another key (a faulty card) is refused")
    func otherKeysSignature() throws {
        let transport = ForgingTransport(try emulatedCard())
        let signer = try JPKISigner(session: CardSession(transport: transport), key: .authentication, entry: .inHand(pin("1234")))
        let digest = JPKIHashAlgorithm.sha256.hash([9])
        let (other, _) = try emulatedJPKI()
        try other.verify(.jpkiSigning, pin: pin("ABC123"))
        let foreign = try other.sign(digest, with: .signing)
        transport.forge = { _ in foreign + [0x90, 0x00] }
        #expect(throws: CardSessionError.self) { try signer.sign(digest) }
    }

    @Test("a CMS signature made through the signer verifies, with the chain when asked for")
    func cms() throws {
        let transport = try emulatedCard { $0.securityAfterSignature = .dropped }
        let signer = try JPKISigner(session: CardSession(transport: transport), key: .signing, includeChain: true, entry: .inHand(pin("ABC123")))
        let digest = JPKIHashAlgorithm.sha256.hash(content[0])
        let cms = try DetachedCMSSignature(derEncoded: signer.signDetachedCMS(contentDigest: digest))
        #expect(cms.verify(contentDigest: digest, signer: signer.certificate) == .valid)
        #expect(cms.certificates.count == 2)
        #expect(signer.chain.count == 1)
    }

    @Test("a signature in parts (61 xx, GET RESPONSE) from a reader with a small limit is put together and checked")
    func signatureInParts() throws {
        let transport = try emulatedCard { $0.maximumResponseLength = 128 }
        let signer = try JPKISigner(session: CardSession(transport: transport), key: .authentication, entry: .inHand(pin("1234")))
        let digest = JPKIHashAlgorithm.sha512.hash(content[1])
        #expect(RawSignature.verify(signature: try signer.sign(digest), contentDigest: digest, certificate: signer.certificate) == .valid)
    }

    @Test("on a smartphone token the authentication certificate is read after the PIN, which is asked once")
    func smartphone() throws {
        var asked = 0
        let signer = try JPKISigner(session: CardSession(transport: emulatedCard("smartphone-token")), key: .authentication,
                                    entry: PINEntry(mayWait: true) { _, _ in asked += 1; return pin("1234") })
        _ = try signer.sign(JPKIHashAlgorithm.sha256.hash([1]))
        #expect(asked == 1)
    }
}
