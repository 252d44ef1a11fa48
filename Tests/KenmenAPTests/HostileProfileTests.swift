import APDU
import CardEmulator
import CardIO
import CardImages
import CardSession
import Foundation
import KenmenAP
import Testing

/// An in-memory card made from `fixtures/hostile/<name>` (fixtures/make-hostile-profiles.py).
func hostileCard(_ name: String) throws -> EmulatedCardTransport {
    EmulatedCardTransport(card: EmulatedCard(profile: try CardProfile.load(from: fixtures.appendingPathComponent("hostile/\(name)"))))
}

/// The hostile profiles on the in-memory card: each gives a clear error, never a crash or a hang.
@Suite("Hostile card files")
struct HostileProfileTests {
    @Test("DF21 offsets past the end of the file make the basic info malformed")
    func basicInfoOffsetsOutOfRange() throws {
        let text = try TextAPSession(transport: hostileCard("df21-out-of-range"))
        try text.verifyPIN(pin("1234"))
        #expect(throws: CardSessionError.malformedData("the basic info file (EF 0002) has a DF21 offset (FFFF) past its end (95 bytes)")) {
            try text.basicInfo()
        }
    }

    @Test("DF21 offsets past the end of the file make the card face malformed")
    func cardFaceOffsetsOutOfRange() throws {
        let face = try FaceAPSession(transport: hostileCard("df21-out-of-range"))
        try face.verify(.faceBirthExpiryCode, pin: pin("02010120354821"))
        #expect {
            try face.cardFace()
        } throws: { error in
            guard case CardSessionError.malformedData(let why) = error else { return false }
            return why.hasPrefix("the card-face file (EF 0002) has a DF21 offset (FFFF) past its end")
        }
    }

    @Test("an offset inside the file is accepted: objects are found by their tags, not by the offsets")
    func offsetTableShape() throws {
        var file = [UInt8]((try Data(contentsOf: fixtures.appendingPathComponent("profiles/healthy/text/0002-basic-info.bin"))))
        _ = try BasicInfo(file: file)
        file[3 + 2 + 1 + 7] = 0x5E  // the last offset now points at the file's last byte (95 bytes): wrong, but inside
        #expect(try BasicInfo(file: file).name == "番号\u{3000}太郎")
    }

    @Test("a TLV length of 2^32−1 in the basic info file is malformed, read no further")
    func basicInfoLength4G() throws {
        let card = try hostileCard("tlv-length-4g")
        let text = try TextAPSession(transport: card)
        try text.verifyPIN(pin("1234"))
        #expect(throws: CardSessionError.malformedData("the basic info file has an unusable TLV length field (132)")) { try text.basicInfo() }
        #expect(card.sentCommands.filter { $0[1] == 0xB0 }.count == 1, "only the header was read")
    }

    @Test("a signed photo declaring 60000 × 60000 pixels is genuine card data that is refused from its header")
    func signedPhotoBomb() throws {
        let face = try FaceAPSession(transport: hostileCard("photo-60000"))
        try face.verify(.faceBirthExpiryCode, pin: pin("02010120354821"))
        let cardFace = try face.cardFace()
        let root = try rootPublicKey(pem: String(contentsOf: fixtures.appendingPathComponent("ca/face-root.pem"), encoding: .utf8))
        #expect(try face.authenticity(of: cardFace, root: root).result == .genuine)
        let header = try JPEG2000Header(cardFace.photo)
        #expect(header.width == 60000 && header.height == 60000)
        #expect(throws: ImageError.self) { try JPEG2000Decoder.decode(cardFace.photo) }
    }

    @Test("a card announcing more data for ever is cut off after 256 GET RESPONSE commands")
    func endlessMoreData() throws {
        let card = try hostileCard("endless-61xx")
        let text = try TextAPSession(transport: card)
        #expect(throws: CardIOError.self) { try text.certificate() }
        #expect(card.sentCommands.filter { $0[1] == 0xC0 }.count == 256)
    }
}
