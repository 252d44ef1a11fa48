/// The largest JPEG 2000 image ``JPEG2000Decoder`` agrees to decode, checked on the headers
/// (``JPEG2000Header``) before OpenJPEG is called. The reasons for ``cardPhoto``'s values are in
/// docs/card-face-and-text.md ("Limits on the photo").
public struct JPEG2000Limits: Equatable, Sendable {
    /// The most pixels per row.
    public var maximumWidth: Int
    /// The most rows.
    public var maximumHeight: Int
    /// The most tiles.
    public var maximumTiles: Int
    /// The most bits per sample.
    public var maximumPrecision: Int
    /// The most memory the header lets OpenJPEG need (``JPEG2000Header/estimatedDecoderBytes``).
    public var maximumDecoderBytes: Int
    /// The most packets the header lets OpenJPEG walk (``JPEG2000Header/estimatedPackets``).
    public var maximumPackets: Int

    /// Creates limits.
    public init(maximumWidth: Int, maximumHeight: Int, maximumTiles: Int, maximumPrecision: Int,
                maximumDecoderBytes: Int, maximumPackets: Int) {
        self.maximumWidth = maximumWidth
        self.maximumHeight = maximumHeight
        self.maximumTiles = maximumTiles
        self.maximumPrecision = maximumPrecision
        self.maximumDecoderBytes = maximumDecoderBytes
        self.maximumPackets = maximumPackets
    }

    /// Far beyond any card-face photo, far below what hurts: the photo is printed 22.0 × 27.5 mm, which is
    /// 1040 × 1300 pixels even at 1200 dpi, and sits in a card file of at most 32 KiB.
    public static let cardPhoto = JPEG2000Limits(maximumWidth: 1600, maximumHeight: 1600, maximumTiles: 1024,
                                                 maximumPrecision: 16, maximumDecoderBytes: 256 << 20, maximumPackets: 1 << 20)

    /// Throws ``ImageError/exceedsLimits(_:)`` or ``ImageError/unsupported(_:)`` for an image these limits refuse.
    public func check(_ header: JPEG2000Header) throws {
        guard header.width <= maximumWidth, header.height <= maximumHeight else {
            throw ImageError.exceedsLimits("it declares \(header.width) × \(header.height) pixels; "
                + "a card photo has at most \(maximumWidth) × \(maximumHeight)")
        }
        guard header.tileCount <= maximumTiles else {
            throw ImageError.exceedsLimits("it declares \(header.tileCount) tiles; at most \(maximumTiles) are decoded")
        }
        let outputChannels = header.paletteChannels > 0 ? header.paletteChannels : header.components.count
        guard [1, 3, 4].contains(outputChannels) else {
            throw ImageError.unsupported("\(outputChannels) colour components (1 greyscale, 3 colour or 4 with transparency are converted)")
        }
        for component in header.components {
            guard component.horizontalSeparation == 1, component.verticalSeparation == 1 else {
                throw ImageError.unsupported("subsampled colour components")
            }
            guard component.precision <= maximumPrecision else {
                throw ImageError.unsupported("\(component.precision)-bit samples (at most \(maximumPrecision) bits are converted)")
            }
        }
        guard header.estimatedDecoderBytes <= maximumDecoderBytes else {
            throw ImageError.exceedsLimits("decoding it could take \(Self.mebibytes(header.estimatedDecoderBytes)) of memory "
                + "(its code-blocks or precincts are tiny); at most \(Self.mebibytes(maximumDecoderBytes)) are allowed")
        }
        guard header.estimatedPackets <= maximumPackets else {
            throw ImageError.exceedsLimits("it declares up to \(header.estimatedPackets) packets "
                + "(\(header.maximumLayers) quality layers); at most \(maximumPackets) are decoded")
        }
    }

    private static func mebibytes(_ bytes: Int) -> String {
        bytes == Int.max ? "more than any computer has" : "\(bytes >> 20) MiB"
    }
}
