import CZlib

/// Writes 8-bit greyscale, RGB or RGBA images as PNG (no filtering, zlib deflate).
public enum PNGEncoder {
    /// The PNG file for `image`.
    public static func encode(_ image: RasterImage) throws -> [UInt8] {
        let colourType: UInt8 = switch image.channels {
        case 1: 0
        case 3: 2
        default: 6
        }
        var header = bigEndian(UInt32(image.width)) + bigEndian(UInt32(image.height))
        header += [8, colourType, 0, 0, 0]  // bit depth, colour type, deflate, adaptive filtering, no interlace
        let rowLength = image.width * image.channels
        var raw: [UInt8] = []
        raw.reserveCapacity((rowLength + 1) * image.height)
        for row in 0..<image.height {
            raw.append(0)  // filter type None
            raw += image.samples[(row * rowLength)..<((row + 1) * rowLength)]
        }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", header) + chunk("IDAT", try deflate(raw)) + chunk("IEND", [])
    }

    static func deflate(_ input: [UInt8]) throws -> [UInt8] {
        var length = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let status = compress2(&output, &length, input, uLong(input.count), Z_BEST_COMPRESSION)
        guard status == Z_OK else { throw ImageError.compression(status) }
        return Array(output.prefix(Int(length)))
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        let checksum = body.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        return bigEndian(UInt32(data.count)) + body + bigEndian(checksum)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
