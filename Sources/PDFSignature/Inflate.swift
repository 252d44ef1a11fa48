import CZlib

/// zlib/deflate decompression (the FlateDecode filter, ISO 32000-1 §7.4.4) with a cap on the output, so a
/// small hostile stream cannot expand into gigabytes.
enum Inflate {
    /// The largest decoded stream this tool reads (cross-reference and object streams are far smaller).
    static let maximumOutput = 64 << 20

    static func decompress(_ input: ArraySlice<UInt8>, limit: Int = maximumOutput) throws(PDFError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .damaged("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var input = Array(input)
        var status: Int32 = Z_OK
        input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    output += target.prefix(target.count - Int(stream.avail_out))
                }
            } while status == Z_OK && output.count <= limit && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        guard output.count <= limit else { throw .unsupported("a compressed stream larger than \(limit >> 20) MiB") }
        // A stream cut short (Z_BUF_ERROR with all input used) still gives what was decoded, as readers do.
        guard status == Z_STREAM_END || status == Z_OK || status == Z_BUF_ERROR else {
            throw .damaged("a compressed stream is corrupt (zlib \(status))")
        }
        return output
    }

    /// Undoes a PNG predictor (/Predictor 10–15, §7.4.4.4): each row starts with its filter type.
    static func undoPNGPredictor(_ data: [UInt8], columns: Int, bytesPerPixel: Int) throws(PDFError) -> [UInt8] {
        guard columns > 0, columns < 1 << 20, bytesPerPixel > 0 else { throw .damaged("a stream has an impossible predictor width") }
        let rowLength = columns + 1
        guard data.count % rowLength == 0 else { throw .damaged("a predicted stream is not whole rows") }
        var output: [UInt8] = []
        output.reserveCapacity(data.count / rowLength * columns)
        var previous = [UInt8](repeating: 0, count: columns)
        var row = [UInt8](repeating: 0, count: columns)
        var start = 0
        while start < data.count {
            let filter = data[start]
            for index in 0..<columns {
                let raw = data[start + 1 + index]
                let left = index >= bytesPerPixel ? row[index - bytesPerPixel] : 0
                let up = previous[index]
                let upLeft = index >= bytesPerPixel ? previous[index - bytesPerPixel] : 0
                switch filter {
                case 0: row[index] = raw
                case 1: row[index] = raw &+ left
                case 2: row[index] = raw &+ up
                case 3: row[index] = raw &+ UInt8((Int(left) + Int(up)) / 2)
                case 4:
                    let estimate = Int(left) + Int(up) - Int(upLeft)
                    let (a, b, c) = (abs(estimate - Int(left)), abs(estimate - Int(up)), abs(estimate - Int(upLeft)))
                    row[index] = raw &+ (a <= b && a <= c ? left : (b <= c ? up : upLeft))
                default: throw .damaged("a predicted stream has an unknown row filter \(filter)")
                }
            }
            output += row
            previous = row
            start += rowLength
        }
        return output
    }
}
