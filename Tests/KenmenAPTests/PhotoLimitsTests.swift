import CardImages
import Foundation
import Testing

/// A card's photo is untrusted: its JPEG 2000 headers are read and checked before OpenJPEG decodes anything.
@Suite("Limits on the card-face photo")
struct PhotoLimitsTests {
    static let photo = [UInt8]((try? Data(contentsOf: fixtures.appendingPathComponent("profiles/healthy/face/face.jp2"))) ?? Data())

    /// The fixture photo with its SIZ segment (and JP2 ihdr box) changed to declare `width` × `height`
    /// pixels in tiles of `tileWidth` × `tileHeight` — a few bytes changed, as a hostile card would.
    static func photo(declaring width: Int, _ height: Int, tiles tileWidth: Int? = nil, _ tileHeight: Int? = nil) -> [UInt8] {
        var bytes = photo
        let siz = bytes.indices.first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0x51 }!
        func put(_ value: Int, at offset: Int) {
            for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (24 - 8 * index)) }
        }
        put(width, at: siz + 6)
        put(height, at: siz + 10)
        put(tileWidth ?? width, at: siz + 22)
        put(tileHeight ?? height, at: siz + 26)
        let ihdr = bytes.indices.first { Array(bytes[$0..<($0 + 4)]) == Array("ihdr".utf8) }!
        put(height, at: ihdr + 4)
        put(width, at: ihdr + 8)
        return bytes
    }

    /// A bare codestream header: SOC, SIZ, COD, then one empty tile-part.
    static func codestream(width: Int, height: Int, tile: Int? = nil, components: Int = 1, levels: Int = 5, layers: Int = 1,
                           codeBlockExponents: Int = 4, precinctExponent: Int? = nil) -> [UInt8] {
        func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        func u32(_ value: Int) -> [UInt8] { u16(value >> 16) + u16(value) }
        var siz = u16(0) + u32(width) + u32(height) + u32(0) + u32(0) + u32(tile ?? width) + u32(tile ?? height) + u32(0) + u32(0) + u16(components)
        for _ in 0..<components { siz += [7, 1, 1] }
        var cod: [UInt8] = [precinctExponent == nil ? 0 : 1, 0] + u16(layers) + [0, UInt8(levels), UInt8(codeBlockExponents), UInt8(codeBlockExponents), 0, 1]
        if let precinctExponent { cod += [UInt8](repeating: UInt8(precinctExponent << 4 | precinctExponent), count: levels + 1) }
        return [0xFF, 0x4F, 0xFF, 0x51] + u16(siz.count + 2) + siz + [0xFF, 0x52] + u16(cod.count + 2) + cod
            + [0xFF, 0x90] + u16(10) + u16(0) + u32(14) + [0, 1] + [0xFF, 0x93] + [0xFF, 0xD9]
    }

    /// Whether decoding `bytes` is refused from the headers with a reason that mentions `words`.
    static func isRefused(_ bytes: [UInt8], mentioning words: String) -> Bool {
        do {
            _ = try JPEG2000Decoder.decode(bytes)
            return false
        } catch ImageError.exceedsLimits(let why) {
            return why.contains(words)
        } catch {
            return false
        }
    }

    @Test("the card's own photo is read as 64 × 80 greyscale in one tile, far within the limits")
    func healthyHeader() throws {
        let header = try JPEG2000Header(Self.photo)
        #expect(header.isJP2 && header.width == 64 && header.height == 80 && header.tileCount == 1)
        #expect(header.components.count == 1 && header.components[0].precision == 8 && !header.components[0].isSigned)
        #expect(header.components[0].horizontalSeparation == 1 && header.components[0].verticalSeparation == 1)
        #expect(header.maximumDecompositionLevels == 5 && header.maximumLayers == 1)
        #expect(header.estimatedDecoderBytes < 1 << 20)
        try JPEG2000Limits.cardPhoto.check(header)
    }

    @Test("a photo declaring 20000 × 20000 pixels is refused before OpenJPEG sees it",
          arguments: [(20000, 20000), (60000, 60000), (1601, 80), (64, 1601)])
    func hugeImageRefused(size: (Int, Int)) {
        #expect(Self.isRefused(Self.photo(declaring: size.0, size.1), mentioning: "\(size.0) × \(size.1)"))
    }

    @Test("an image within the sides but cut into a million one-pixel tiles is refused")
    func tinyTilesRefused() {
        #expect(Self.isRefused(Self.photo(declaring: 1000, 1000, tiles: 1, 1), mentioning: "1000000 tiles"))
    }

    @Test("the largest image SIZ can declare, in one-pixel tiles, is refused without overflowing the tile count")
    func largestDeclarableImage() throws {
        let bytes = Self.codestream(width: 0xFFFF_FFFF, height: 0xFFFF_FFFF, tile: 1)
        #expect(try JPEG2000Header(bytes).tileCount == Int.max)
        #expect(Self.isRefused(bytes, mentioning: "4294967295 × 4294967295"))
    }

    @Test("one-pixel precincts over a large image are refused for the memory they would cost")
    func tinyPrecinctsRefused() throws {
        let bytes = Self.codestream(width: 1600, height: 1600, components: 4, levels: 0, codeBlockExponents: 0, precinctExponent: 0)
        let header = try JPEG2000Header(bytes)
        #expect(header.estimatedDecoderBytes > JPEG2000Limits.cardPhoto.maximumDecoderBytes)
        #expect(Self.isRefused(bytes, mentioning: "memory"))
    }

    @Test("65535 quality layers over many precincts are refused for the packets they would cost")
    func manyLayersRefused() throws {
        let bytes = Self.codestream(width: 512, height: 512, levels: 5, layers: 65535, precinctExponent: 4)
        #expect(Self.isRefused(bytes, mentioning: "packets"))
    }

    @Test("an ordinary photo's size and coding pass the limits")
    func ordinaryPhotoPasses() throws {
        let header = try JPEG2000Header(Self.codestream(width: 1040, height: 1300, components: 3, levels: 5, layers: 12, codeBlockExponents: 4))
        try JPEG2000Limits.cardPhoto.check(header)
        #expect(header.tileCount == 1 && header.maximumLayers == 12)
    }

    @Test("layouts the PNG writer cannot take are refused before decoding",
          arguments: [2, 5, 16384])
    func componentCountsRefused(count: Int) {
        #expect(throws: ImageError.unsupported("\(count) colour components (1 greyscale, 3 colour or 4 with transparency are converted)")) {
            try JPEG2000Decoder.decode(Self.codestream(width: 16, height: 16, components: count))
        }
    }

    @Test("cut-off or inconsistent headers are errors, never crashes")
    func brokenHeaders() {
        for length in 0..<200 {
            #expect(throws: ImageError.self) { try JPEG2000Header(Array(Self.photo.prefix(length))) }
        }
        var zeroSize = Self.photo(declaring: 0, 0)
        #expect(throws: ImageError.self) { try JPEG2000Decoder.decode(zeroSize) }
        zeroSize = Self.photo(declaring: 64, 80, tiles: 0, 0)
        #expect(throws: ImageError.self) { try JPEG2000Decoder.decode(zeroSize) }
        #expect(throws: ImageError.self) { try JPEG2000Decoder.decode(Array("not a photo".utf8)) }
    }
}
