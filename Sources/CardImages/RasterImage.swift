/// An uncompressed image: 8-bit samples, row by row, channels interleaved.
public struct RasterImage: Equatable, Sendable {
    /// Pixels per row.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Samples per pixel: 1 greyscale, 3 RGB, 4 RGBA.
    public let channels: Int
    /// `width × height × channels` samples.
    public let samples: [UInt8]

    /// Creates an image; `samples` must hold `width × height × channels` bytes.
    public init(width: Int, height: Int, channels: Int, samples: [UInt8]) {
        precondition([1, 3, 4].contains(channels) && samples.count == width * height * channels, "inconsistent image size")
        self.width = width
        self.height = height
        self.channels = channels
        self.samples = samples
    }
}

/// Why an image could not be decoded or encoded.
public enum ImageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The JPEG 2000 data could not be decoded.
    case jpeg2000(String)
    /// The JPEG 2000 headers declare more than ``JPEG2000Limits`` allow; nothing was decoded.
    case exceedsLimits(String)
    /// The image has a layout this tool does not convert.
    case unsupported(String)
    /// Compression failed.
    case compression(Int32)

    public var description: String {
        switch self {
        case .jpeg2000(let why): "the JPEG 2000 photo could not be decoded: \(why)"
        case .exceedsLimits(let why): "the JPEG 2000 photo was not decoded, as no card photo is that large: \(why)"
        case .unsupported(let why): "the image cannot be converted: \(why)"
        case .compression(let code): "compressing the PNG failed (zlib error \(code))"
        }
    }
}
