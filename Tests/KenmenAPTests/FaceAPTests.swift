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
