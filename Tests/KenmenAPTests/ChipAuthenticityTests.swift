import APDU
import CardEmulator
import CardSession
import Foundation
import KenmenAP
import Testing

/// Internal authentication: the chip signs a random challenge with the card key its signed data names.
@Suite("Chip authenticity (internal authentication)")
struct ChipAuthenticityTests {
    /// An in-memory healthy card whose `file` in `applet` is changed by `edit`.
    private func healthyCard(changing file: FileID, in applet: CardApplet, _ edit: (inout [UInt8]) throws -> Void) throws -> EmulatedCardTransport {
        var profile = try CardProfile.load(from: fixtures.appendingPathComponent("profiles/healthy"))
        let index = try #require(profile.applets.firstIndex { $0.aid == applet.aid })
        guard case .binary(var bytes) = profile.applets[index].files[file]?.content else {
            throw CardSessionError.malformedData("the healthy profile has no EF \(file) in the \(applet.displayName) applet")
        }
        try edit(&bytes)
        profile.applets[index].files[file]?.content = .binary(bytes)
        return EmulatedCardTransport(card: EmulatedCard(profile: profile))
    }

    @Test("the card face's chip holds the card key DF24 names")
    func faceChipGenuine() throws {
        let transport = try emulatedCard()
        let face = try FaceAPSession(transport: transport)
        try face.verify(.faceBirthExpiryCode, pin: pin("02010120354821"))
        let cardFace = try face.cardFace()
        let chip = try face.chipAuthenticity(of: cardFace, data: try face.authenticity(of: cardFace, root: nil))
        #expect(chip.result == .genuine)
        #expect(chip.challengeSignatureVerifies == true)
        let challenge = try #require(transport.sentCommands.last)
        #expect(challenge.prefix(5) == [0x80, 0x2A, 0x00, 0x00, 51], "80 2A 00 00 with a SHA-256 DigestInfo")
    }

    @Test("the text applet's chip holds the card key EF 0007 names, signed by the data-signing key")
    func textChipGenuine() throws {
        let text = try TextAPSession(transport: emulatedCard())
        try text.verifyPIN(pin("1234"))
        let signedKey = try text.signedCardKey()
        let certificate = try text.certificate()
        #expect(signedKey.isSigned(by: certificate))
        #expect(try text.chipAuthenticity(certificate: certificate).result == .genuine)
    }

    @Test("a copy of the data on another chip: the data is genuine, the chip is NOT")
    func clonedChip() throws {
        let face = try FaceAPSession(transport: emulatedCard("cloned-chip"))
        try face.verify(.faceBirthExpiryCode, pin: pin("02010120354821"))
        let cardFace = try face.cardFace()
        let data = try face.authenticity(of: cardFace, root: faceRoot)
        #expect(data.result == .genuine)
        let chip = try face.chipAuthenticity(of: cardFace, data: data)
        #expect(chip.result.code == "not-genuine")
        #expect(chip.challengeSignatureVerifies == false)
        #expect(chip.result.reason?.contains("copied onto another chip") == true)

        let text = try TextAPSession(transport: emulatedCard("cloned-chip"))
        try text.verifyPIN(pin("1234"))
        #expect(try text.readAll(root: textRoot).authenticity.result == .genuine)
        #expect(try text.chipAuthenticity(certificate: text.certificate()).result.code == "not-genuine")
    }

    @Test("a text card key file whose signature does not verify: the key was replaced, the chip is not genuine")
    func replacedTextCardKey() throws {
        let transport = try healthyCard(changing: TextAPFiles.cardKey, in: .textInputAssist) { $0[$0.count - 1] ^= 0x01 }  // DF52's last byte
        let text = try TextAPSession(transport: transport)
        try text.verifyPIN(pin("1234"))
        let chip = try text.chipAuthenticity(certificate: text.certificate())
        #expect(chip.result.code == "not-genuine")
        #expect(chip.result.reason?.contains("replaced") == true)
        #expect(!transport.sentCommands.contains { $0.prefix(2) == [0x80, 0x2A] }, "no challenge was sent")
    }

    @Test("the card key file cannot be read without a PIN")
    func cardKeyNeedsPIN() throws {
        let text = try TextAPSession(transport: emulatedCard())
        #expect(throws: CardSessionError.self) { try text.signedCardKey() }
    }

    @Test("a chip that refuses the challenge is not genuine")
    func refusedChallenge() throws {
        var profile = try CardProfile.load(from: fixtures.appendingPathComponent("profiles/healthy"))
        let index = try #require(profile.applets.firstIndex { $0.aid == CardApplet.cardFace.aid })
        profile.applets[index].files[FileID(0x0020)] = nil
        let face = try FaceAPSession(transport: EmulatedCardTransport(card: EmulatedCard(profile: profile)))
        try face.verify(.faceBirthExpiryCode, pin: pin("02010120354821"))
        let cardFace = try face.cardFace()
        let chip = try face.chipAuthenticity(of: cardFace, data: try face.authenticity(of: cardFace, root: nil))
        #expect(chip.result.code == "not-genuine")
        #expect(chip.result.reason?.contains("refused") == true)
    }

    @Test("a card key that the card face's signature does not cover is not challenged")
    func unsignedKeyNotChecked() throws {
        // One bit of the photo (after its JP2 signature box) changed: DF28 no longer verifies.
        let transport = try healthyCard(changing: FaceAPFiles.cardFace, in: .cardFace) { bytes in
            let photo = try #require((0..<(bytes.count - 4)).first { bytes[$0..<($0 + 4)] == [0x6A, 0x50, 0x20, 0x20] })
            bytes[photo + 40] ^= 0x01
        }
        let face = try FaceAPSession(transport: transport)
        try face.verify(.faceBirthExpiryCode, pin: pin("02010120354821"))
        let cardFace = try face.cardFace()
        let data = try face.authenticity(of: cardFace, root: faceRoot)
        #expect(data.result.code == "not-genuine")
        let chip = try face.chipAuthenticity(of: cardFace, data: data)
        #expect(chip.result.code == "cannot-check")
        #expect(chip.challengeSignatureVerifies == nil)
        #expect(!transport.sentCommands.contains { $0.prefix(2) == [0x80, 0x2A] }, "no challenge was sent")
    }
}
