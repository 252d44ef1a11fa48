import COpenJPEG

/// Decodes JPEG 2000 (a JP2 container, as the card-face photo is stored) with OpenJPEG.
///
/// The photo comes from the card, so it is untrusted: its headers are read first by ``JPEG2000Header``
/// and checked against ``JPEG2000Limits`` — image, tile and component sizes, and bounds of the memory and
/// work OpenJPEG would need — and OpenJPEG sees only images within them.
public enum JPEG2000Decoder {
    /// Decodes `data` (JP2 container, or a raw J2K codestream) into 8-bit samples.
    /// - Throws: ``ImageError/exceedsLimits(_:)`` for an image beyond `limits`, ``ImageError/jpeg2000(_:)``
    ///   when it is not valid JPEG 2000, ``ImageError/unsupported(_:)`` for a layout that is not converted.
    public static func decode(_ data: [UInt8], limits: JPEG2000Limits = .cardPhoto) throws -> RasterImage {
        let header = try JPEG2000Header(data)
        try limits.check(header)
        guard let codec = opj_create_decompress(header.isJP2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K) else {
            throw ImageError.jpeg2000("OpenJPEG could not create a decoder")
        }
        defer { opj_destroy_codec(codec) }
        var parameters = opj_dparameters_t()
        opj_set_default_decoder_parameters(&parameters)
        guard opj_setup_decoder(codec, &parameters) != 0 else { throw ImageError.jpeg2000("OpenJPEG refused the decoder setup") }

        let source = MemorySource(data)
        guard let stream = opj_stream_create(Int(OPJ_J2K_STREAM_CHUNK_SIZE), 1) else { throw ImageError.jpeg2000("no stream") }
        defer { opj_stream_destroy(stream) }
        let unmanaged = Unmanaged.passRetained(source)
        opj_stream_set_user_data(stream, unmanaged.toOpaque()) { Unmanaged<MemorySource>.fromOpaque($0!).release() }
        opj_stream_set_user_data_length(stream, UInt64(data.count))
        opj_stream_set_read_function(stream) { buffer, count, user in
            Unmanaged<MemorySource>.fromOpaque(user!).takeUnretainedValue().read(into: buffer!, count: count)
        }
        opj_stream_set_skip_function(stream) { count, user in
            Unmanaged<MemorySource>.fromOpaque(user!).takeUnretainedValue().skip(count)
        }
        opj_stream_set_seek_function(stream) { position, user in
            Unmanaged<MemorySource>.fromOpaque(user!).takeUnretainedValue().seek(position) ? 1 : 0
        }

        var imagePointer: UnsafeMutablePointer<opj_image_t>?
        guard opj_read_header(stream, codec, &imagePointer) != 0, let image = imagePointer else {
            throw ImageError.jpeg2000("the header is not valid JPEG 2000")
        }
        defer { opj_image_destroy(image) }
        guard opj_decode(codec, stream, image) != 0, opj_end_decompress(codec, stream) != 0 else {
            throw ImageError.jpeg2000("the image data is damaged")
        }
        return try raster(from: image.pointee, header: header)
    }

    /// The decoded components as interleaved 8-bit samples. What OpenJPEG returns is checked against the
    /// header that passed the limits before any of it is used as a size or an index.
    private static func raster(from image: opj_image_t, header: JPEG2000Header) throws -> RasterImage {
        let count = Int(image.numcomps)
        guard [1, 3, 4].contains(count), let components = image.comps else {
            throw ImageError.unsupported("\(image.numcomps) colour components")
        }
        let width = Int(components[0].w), height = Int(components[0].h)
        guard width > 0, height > 0, width <= header.width, height <= header.height else {
            throw ImageError.jpeg2000("the decoder returned a \(width) × \(height) image for a \(header.width) × \(header.height) header")
        }
        let pixels = width * height  // both at most the limits' sides, so no overflow
        var samples = [UInt8](repeating: 0, count: pixels * count)
        for channel in 0..<count {
            let component = components[channel]
            guard Int(component.w) == width, Int(component.h) == height, let data = component.data else {
                throw ImageError.unsupported("subsampled colour components")
            }
            let precision = Int(component.prec)
            guard (1...16).contains(precision) else { throw ImageError.unsupported("\(precision)-bit samples") }
            let offset = component.sgnd != 0 ? 1 << (precision - 1) : 0
            let maximum = (1 << precision) - 1
            for index in 0..<pixels {
                let value = min(max(Int(data[index]) + offset, 0), maximum)
                samples[index * count + channel] = UInt8(precision == 8 ? value : (value * 255 + maximum / 2) / maximum)
            }
        }
        return RasterImage(width: width, height: height, channels: count, samples: samples)
    }
}

/// The bytes OpenJPEG reads through its stream callbacks.
private final class MemorySource {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
        guard position < bytes.count else { return -1 }  // (OPJ_SIZE_T)-1: end of stream
        let taken = min(count, bytes.count - position)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress! + position, byteCount: taken) }
        position += taken
        return taken
    }

    func skip(_ count: Int64) -> Int64 {
        let target = min(max(Int64(position) + count, 0), Int64(bytes.count))
        let skipped = target - Int64(position)
        position = Int(target)
        return skipped
    }

    func seek(_ target: Int64) -> Bool {
        guard target >= 0, target <= Int64(bytes.count) else { return false }
        position = Int(target)
        return true
    }
}
