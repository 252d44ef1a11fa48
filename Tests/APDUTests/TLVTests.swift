import APDU
import Testing

@Suite("BER-TLV")
struct TLVTests {
    @Test("the text applet's two-byte DF tags and long lengths parse")
    func multiByteTagsAndLengths() throws {
        let name = TLV(tag: 0xDF22, value: Array("番号 太郎".utf8))
        let photo = TLV(tag: 0xDF27, value: [UInt8](repeating: 0xAB, count: 300))
        let objects = try TLV.parseAll(name.encoded + photo.encoded)
        #expect(objects == [name, photo])
        #expect(photo.encoded.prefix(5) == [0xDF, 0x27, 0x82, 0x01, 0x2C])
    }

    @Test("a constructed object's children parse from its value")
    func constructed() throws {
        let inner = TLV(tag: 0xDF21, value: [1, 2])
        let outer = TLV(tag: 0xFF20, value: inner.encoded)
        #expect(outer.isConstructed)
        let parsed = try TLV.parseAll(outer.encoded)
        #expect(try TLV.parseAll(parsed[0].value) == [inner])
    }

    @Test("padding bytes between objects are skipped")
    func padding() throws {
        let objects = try TLV.parseAll([0x00, 0xFF, 0x10, 0x01, 0x41, 0xFF, 0xFF])
        #expect(objects == [TLV(tag: 0x10, value: [0x41])])
    }

    @Test("malformed TLV is rejected with an error, never a crash", arguments: [
        [0x10], [0x10, 0x05, 0x01], [0x10, 0x82, 0x01], [0xDF], [0xDF, 0xA2], [0x10, 0x80, 0x00],
        [0x10, 0x84, 0x00, 0x00, 0x00, 0x01, 0x00], [0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x01, 0x00],
    ] as [[UInt8]])
    func malformed(bytes: [UInt8]) {
        #expect(throws: APDUError.self) { try TLV.parseAll(bytes) }
    }

    @Test("random bytes never crash the parsers, and what parses as a response gives the same bytes back")
    func fuzz() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0...24, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? TLV.parseAll(bytes)
            _ = try? CommandAPDU(bytes: bytes)
            // Whatever parses as a response is the same response again: data, then the two status bytes.
            if let response = try? ResponseAPDU(bytes: bytes) { #expect(response.bytes == bytes) }
            else { #expect(bytes.count < 2) }
        }
    }

    @Test("every length encodes in its shortest definite form, without trapping at any size",
          arguments: [(0, [0x00]), (0x7F, [0x7F]), (0x80, [0x81, 0x80]), (0xFFFF, [0x82, 0xFF, 0xFF]),
                      (0xFF_FFFF, [0x83, 0xFF, 0xFF, 0xFF]), (0x100_0000, [0x84, 0x01, 0x00, 0x00, 0x00]),
                      (0xFFFF_FFFF, [0x84, 0xFF, 0xFF, 0xFF, 0xFF]), (-1, [0x00])])
    func lengthEncoding(length: Int, encoded: [UInt8]) {
        #expect(TLV.encodeLength(length) == encoded)
    }
}
