import APDU
import CardEmulator
import CardImages
import CardSession
import CZlib
import Foundation
import KenmenAP
import Testing

/// The samples of a binary PGM (P5, maxval 255).
func pgmSamples(_ url: URL) throws -> (width: Int, height: Int, samples: [UInt8]) {
    let bytes = [UInt8](try Data(contentsOf: url))
    var fields: [String] = []
    var index = 0
    while fields.count < 4 {
        while bytes[index] == 0x20 || bytes[index] == 0x0A { index += 1 }
        let start = index
        while bytes[index] != 0x20 && bytes[index] != 0x0A { index += 1 }
        fields.append(String(decoding: bytes[start..<index], as: UTF8.self))
    }
    index += 1
    return (Int(fields[1])!, Int(fields[2])!, Array(bytes[index...]))
}

@Suite("Card-face applet (券面AP)")
struct FaceAPTests {
    @Test("PIN-B opens the card face: dates, sex and images")
    func pinBReadsFace() throws {
        let face = try FaceAPSession(transport: emulatedCard())
        try face.verify(.faceBirthExpiryCode, pin: pin("02010120354821"))
        let cardFace = try face.cardFace()
        #expect(cardFace.birthDate.description == "1990-01-01")
        #expect(cardFace.expiryDate.description == "2035-01-01")
        #expect(cardFace.sex == .male)
        #expect(cardFace.photo == [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("profiles/healthy/face/face.jp2"))))
        #expect(cardFace.nameImage == [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("profiles/healthy/face/name.png"))))
    }

    @Test("PIN-B does not open the My Number image; PIN-A does")
    func myNumberImageNeedsPINA() throws {
        let face = try FaceAPSession(transport: emulatedCard())
        try face.verify(.faceBirthExpiryCode, pin: pin("02010120354821"))
        #expect(throws: CardSessionError.self) { try face.myNumberImage() }
        try face.verify(.faceMyNumber, pin: pin("123456789018"))
        #expect(try face.myNumberImage() == [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("profiles/healthy/face/my-number.png"))))
    }

    @Test("a PIN-B in the old Gregorian form is refused by the card and costs a try")
    func gregorianPINB() throws {
        let face = try FaceAPSession(transport: emulatedCard())
        #expect(throws: CardSessionError.wrongPIN(.faceBirthExpiryCode, triesLeft: 9)) {
            try face.verify(.faceBirthExpiryCode, pin: pin("90010120354821"))
        }
    }

    @Test("the photo decodes to exactly the source pixels")
    func photoDecodes() throws {
        let jp2 = [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("profiles/healthy/face/face.jp2")))
        let image = try JPEG2000Decoder.decode(jp2)
        let source = try pgmSamples(fixtures.appendingPathComponent("profiles/healthy/face/face-source.pgm"))
        #expect(image.width == source.width && image.height == source.height && image.channels == 1)
        #expect(image.samples == source.samples)
    }

    @Test("the PNG writer's output inflates back to the same rows")
    func pngRoundTrip() throws {
        let image = RasterImage(width: 3, height: 2, channels: 1, samples: [0, 128, 255, 1, 2, 3])
        let png = try PNGEncoder.encode(image)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(Array(png[12..<16]) == Array("IHDR".utf8))
        #expect(Array(png[16..<24]) == [0, 0, 0, 3, 0, 0, 0, 2])
        let idatLength = Int(png[33]) << 24 | Int(png[34]) << 16 | Int(png[35]) << 8 | Int(png[36])
        #expect(Array(png[37..<41]) == Array("IDAT".utf8))
        let compressed = Array(png[41..<(41 + idatLength)])
        var length = uLong(8)
        var raw = [UInt8](repeating: 0, count: 8)
        #expect(uncompress(&raw, &length, compressed, uLong(compressed.count)) == Z_OK)
        #expect(raw == [0, 0, 128, 255, 0, 1, 2, 3])
        #expect(Array(png.suffix(12)) == [0, 0, 0, 0] + Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82])
    }
}

let faceRoot = { try! rootPublicKey(pem: String(contentsOf: fixtures.appendingPathComponent("ca/face-root.pem"), encoding: .utf8)) }()

@Suite("Card-face authenticity (DF28)")
struct FaceAuthenticityTests {
    /// The healthy card face, read after PIN-B, and the session it was read in.
    func readFace(_ transport: EmulatedCardTransport? = nil) throws -> (FaceAPSession, CardFace) {
        let session = try FaceAPSession(transport: transport ?? emulatedCard())
        try session.verify(.faceBirthExpiryCode, pin: pin("02010120354821"))
        return (session, try session.cardFace())
    }

    @Test("the healthy card face is genuine against the test root")
    func genuine() throws {
        let (session, face) = try readFace()
        let report = try session.authenticity(of: face, root: faceRoot)
        #expect(report.signatureMatchesCardKey)
        #expect(report.certificateSignedByRoot == true)
        #expect(report.result == .genuine)
    }

    @Test("without a root key the signature is still checked, and the verdict is cannot-check")
    func noRoot() throws {
        let (session, face) = try readFace()
        let report = try session.authenticity(of: face, root: nil)
        #expect(report.signatureMatchesCardKey)
        #expect(report.result.code == "cannot-check")
    }

    @Test("the text applet's root does not certify the card-face key")
    func wrongRoot() throws {
        let (session, face) = try readFace()
        #expect(try session.authenticity(of: face, root: textRoot).result.code == "not-genuine")
    }

    @Test("a card face whose photo or sex was changed is not genuine", arguments: [0xDF27, 0xDF23] as [UInt32])
    func tampered(tag: UInt32) throws {
        var profile = try CardProfile.load(from: fixtures.appendingPathComponent("profiles/healthy"))
        let applet = profile.applets.firstIndex { $0.aid == CardApplet.cardFace.aid }!
        guard case .binary(let bytes) = profile.applets[applet].files[FaceAPFiles.cardFace]!.content else { Issue.record("EF 0002 is not binary"); return }
        // Change the last byte of the object's value, keeping every length as it was.
        let outer = try TLV.parseFirst(bytes).0
        let objects = try TLV.parseAll(outer.value).map { object in
            object.tag == tag ? TLV(tag: tag, value: object.value.dropLast() + [object.value.last! ^ 0x01]) : object
        }
        let changed = TLV(tag: 0xFF20, value: objects.flatMap(\.encoded)).encoded
        #expect(changed.count == bytes.count)
        profile.applets[applet].files[FaceAPFiles.cardFace]!.content = .binary(changed)
        let (session, face) = try readFace(EmulatedCardTransport(card: EmulatedCard(profile: profile)))
        let report = try session.authenticity(of: face, root: faceRoot)
        #expect(!report.signatureMatchesCardKey)
        #expect(report.result.code == "not-genuine")
    }
}
