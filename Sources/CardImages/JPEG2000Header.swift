/// What a JPEG 2000 file declares about its image, read by this module before OpenJPEG sees a byte of it:
/// the JP2 boxes (ISO/IEC 15444-1 annex I) and the codestream's marker segments (annex A) — SIZ for the
/// image, tile and component sizes, COD/COC for the wavelet levels, code-blocks and precincts, POC — in the
/// main header and in every tile-part header. From these it bounds what OpenJPEG would allocate and iterate,
/// so that a few bytes declaring a huge image are refused before they cost anything
/// (``JPEG2000Limits``).
public struct JPEG2000Header: Equatable, Sendable {
    /// Pixels per row (`Xsiz − XOsiz`).
    public let width: Int
    /// Rows (`Ysiz − YOsiz`).
    public let height: Int
    /// The codestream's components (1 greyscale, 3 colour, …).
    public let components: [Component]
    /// The nominal tile size.
    public let tileWidth: Int
    /// The nominal tile height.
    public let tileHeight: Int
    /// How many tiles cover the image.
    public let tileCount: Int
    /// Whether the data is a JP2 file (a codestream in boxes) rather than a bare codestream.
    public let isJP2: Bool
    /// Colour channels a JP2 palette (`pclr` box) adds, 0 without one.
    public let paletteChannels: Int
    /// The most quality layers any coding style declares.
    public let maximumLayers: Int
    /// The most wavelet decomposition levels any coding style declares.
    public let maximumDecompositionLevels: Int
    /// An upper bound of the memory OpenJPEG allocates to decode this image: the decoded samples and
    /// OpenJPEG's per-tile, per-precinct and per-code-block bookkeeping, with the smallest code-blocks and
    /// precincts the headers declare applied everywhere.
    public let estimatedDecoderBytes: Int
    /// An upper bound of the packets OpenJPEG walks through (layers × precincts × progressions).
    public let estimatedPackets: Int

    /// One component as SIZ declares it.
    public struct Component: Equatable, Sendable {
        /// Bits per sample (1…38 in the standard).
        public let precision: Int
        /// Whether samples are signed.
        public let isSigned: Bool
        /// Horizontal subsampling (1 = every pixel).
        public let horizontalSeparation: Int
        /// Vertical subsampling.
        public let verticalSeparation: Int
    }

    /// Reads the headers of `data`, a JP2 file or a bare JPEG 2000 codestream.
    /// - Throws: ``ImageError/jpeg2000(_:)`` when the headers are missing, cut off or inconsistent.
    public init(_ data: [UInt8]) throws {
        let codestream: Range<Int>
        var paletteChannels = 0
        if data.count >= 12, Array(data[0..<12]) == Self.jp2Signature {
            isJP2 = true
            (codestream, paletteChannels) = try Self.jp2Boxes(data)
        } else if data.count >= 4, Array(data[0..<4]) == [0xFF, 0x4F, 0xFF, 0x51] {
            isJP2 = false
            codestream = 0..<data.count
        } else {
            throw ImageError.jpeg2000("it is neither a JP2 file nor a JPEG 2000 codestream")
        }
        self.paletteChannels = paletteChannels
        var reader = ByteReader(data, range: codestream)
        guard try reader.u16() == Marker.soc, try reader.u16() == Marker.siz else {
            throw ImageError.jpeg2000("the codestream does not start with SOC and SIZ")
        }
        // SIZ (A.5.1).
        let sizLength = try reader.u16()
        _ = try reader.u16()  // Rsiz
        let xSize = try reader.u32(), ySize = try reader.u32(), xOffset = try reader.u32(), yOffset = try reader.u32()
        let xTile = try reader.u32(), yTile = try reader.u32(), xTileOffset = try reader.u32(), yTileOffset = try reader.u32()
        let componentCount = try reader.u16()
        guard (1...16384).contains(componentCount), sizLength == 38 + 3 * componentCount else {
            throw ImageError.jpeg2000("its SIZ segment declares \(componentCount) components in \(sizLength) bytes")
        }
        guard xSize > xOffset, ySize > yOffset, xTile > 0, yTile > 0, xTileOffset <= xOffset, yTileOffset <= yOffset,
              xTileOffset + xTile > xOffset, yTileOffset + yTile > yOffset else {
            throw ImageError.jpeg2000("its SIZ segment declares an impossible image or tile grid")
        }
        var components: [Component] = []
        for _ in 0..<componentCount {
            let bits = try reader.u8(), dx = try reader.u8(), dy = try reader.u8()
            guard dx > 0, dy > 0 else { throw ImageError.jpeg2000("a component has a subsampling factor of 0") }
            components.append(Component(precision: Int(bits & 0x7F) + 1, isSigned: bits & 0x80 != 0,
                                        horizontalSeparation: Int(dx), verticalSeparation: Int(dy)))
        }
        width = xSize - xOffset
        height = ySize - yOffset
        tileWidth = xTile
        tileHeight = yTile
        let tilesAcross = Self.ceilDiv(xSize - xTileOffset, xTile), tilesDown = Self.ceilDiv(ySize - yTileOffset, yTile)
        tileCount = Self.mul(tilesAcross, tilesDown)  // up to (2^32 − 1)², past Int.max: saturates
        self.components = components

        // COD/COC/POC in the main header, then in every tile-part header (A.4.2, A.6.1, A.6.2, A.6.6).
        var styles = [CodingStyle](repeating: CodingStyle(), count: componentCount)
        var progressions = 1
        var marker = try Self.headerSegments(&reader, until: Marker.sot) { marker, segment in
            try Self.apply(marker, segment, to: &styles, progressions: &progressions)
        }
        while marker == Marker.sot {
            let partStart = reader.position - 2
            let segment = Array(try reader.segment())
            guard segment.count == 8 else { throw ImageError.jpeg2000("a tile-part header (SOT) has the wrong length") }
            let tileIndex = Int(segment[0]) << 8 | Int(segment[1])
            let partLength = segment[2..<6].reduce(0) { $0 << 8 | Int($1) }
            guard tileIndex < tileCount else { throw ImageError.jpeg2000("a tile-part names tile \(tileIndex) of \(tileCount)") }
            var partProgressions = 1
            _ = try Self.headerSegments(&reader, until: Marker.sod) { marker, segment in
                try Self.apply(marker, segment, to: &styles, progressions: &partProgressions)
            }
            progressions = max(progressions, partProgressions)
            // Psot 0: this tile-part runs to the end of the codestream. One cut short ends the walk, as
            // OpenJPEG then decodes what there is.
            guard partLength != 0, partLength <= codestream.upperBound - partStart else { break }
            reader.position = partStart + partLength
            guard reader.remaining >= 2 else { break }
            marker = try reader.u16()
        }

        // Upper bounds of OpenJPEG's work (its tcd/t2 structures), with the worst parameters seen anywhere.
        let outputComponents = componentCount + paletteChannels
        var bytes = Self.mul(Self.mul(width, height), Self.mul(outputComponents, 4))  // the decoded image (32-bit samples)
        bytes = Self.add(bytes, Self.mul(tileCount, Self.add(Self.tileParameterBytes, Self.mul(componentCount, Self.componentParameterBytes))))
        var tileBytes = 0, packets = 0
        let tileAreaWidth = min(xTile, width), tileAreaHeight = min(yTile, height)
        for (component, style) in zip(components, styles) {
            let w = Self.ceilDiv(tileAreaWidth, component.horizontalSeparation) + 1
            let h = Self.ceilDiv(tileAreaHeight, component.verticalSeparation) + 1
            tileBytes = Self.add(tileBytes, Self.mul(Self.mul(w, h), 4))
            let (structures, precincts) = style.bookkeeping(width: w, height: h)
            tileBytes = Self.add(tileBytes, structures)
            packets = Self.add(packets, Self.mul(precincts, style.layers))
        }
        estimatedDecoderBytes = Self.add(bytes, tileBytes)
        estimatedPackets = Self.mul(Self.mul(packets, tileCount), progressions)
        maximumLayers = styles.map(\.layers).max() ?? 1
        maximumDecompositionLevels = styles.map(\.levels).max() ?? 0
    }

    // MARK: JP2 boxes

    static let jp2Signature: [UInt8] = [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A]

    /// The codestream's place (the first `jp2c` box) and the palette's channel count (a `pclr` box in `jp2h`).
    private static func jp2Boxes(_ data: [UInt8]) throws -> (Range<Int>, Int) {
        var palette = 0
        var reader = ByteReader(data, range: 0..<data.count)
        while reader.remaining > 0 {
            let (type, content) = try reader.box()
            if type == "jp2h" {
                var inner = ByteReader(data, range: content)
                while inner.remaining > 0 {
                    let (innerType, innerContent) = try inner.box()
                    if innerType == "pclr" {
                        guard innerContent.count >= 3 else { throw ImageError.jpeg2000("its palette box is cut off") }
                        palette = Int(data[innerContent.lowerBound + 2])
                    }
                }
            } else if type == "jp2c" {
                return (content, palette)
            }
        }
        throw ImageError.jpeg2000("the JP2 file holds no codestream (jp2c box)")
    }

    // MARK: Codestream marker segments

    enum Marker {
        static let soc = 0xFF4F, siz = 0xFF51, cod = 0xFF52, coc = 0xFF53, poc = 0xFF5F
        static let sot = 0xFF90, sod = 0xFF93, eoc = 0xFFD9
    }

    /// Walks marker segments until `end` (consumed), handing each other one to `body`; returns `end`.
    private static func headerSegments(_ reader: inout ByteReader, until end: Int,
                                       _ body: (Int, ArraySlice<UInt8>) throws -> Void) throws -> Int {
        while true {
            let marker = try reader.u16()
            if marker == end { return marker }
            guard marker >= 0xFF01, marker != Marker.eoc, marker != Marker.sod else {
                throw ImageError.jpeg2000("a header holds \(String(marker, radix: 16, uppercase: true)) where a marker segment belongs")
            }
            try body(marker, try reader.segment())
        }
    }

    /// Reads COD, COC and POC segments into the worst-case coding styles.
    private static func apply(_ marker: Int, _ segment: ArraySlice<UInt8>, to styles: inout [CodingStyle], progressions: inout Int) throws {
        var bytes = ByteReader(Array(segment), range: 0..<segment.count)
        switch marker {
        case Marker.cod:
            let scod = try bytes.u8()
            _ = try bytes.u8()  // progression order
            let layers = try bytes.u16()
            _ = try bytes.u8()  // multiple component transform
            let parameters = try CodingParameters(&bytes, definesPrecincts: scod & 1 != 0)
            guard layers > 0 else { throw ImageError.jpeg2000("a COD segment declares no quality layers") }
            for index in styles.indices { styles[index].merge(parameters, layers: layers) }
        case Marker.coc:
            let index = styles.count < 257 ? try bytes.u8() : try bytes.u16()
            guard index < styles.count else { throw ImageError.jpeg2000("a COC segment names component \(index) of \(styles.count)") }
            let scoc = try bytes.u8()
            styles[index].merge(try CodingParameters(&bytes, definesPrecincts: scoc & 1 != 0), layers: nil)
        case Marker.poc:
            // Each progression is 7 bytes (9 with more than 256 components); each may walk every packet again.
            progressions = add(progressions, segment.count / (styles.count < 257 ? 7 : 9))
        default:
            break
        }
    }

    /// SPcod/SPcoc: decomposition levels, code-block size and, when defined, precinct sizes (A.6.1).
    struct CodingParameters {
        var levels: Int
        var codeBlockWidthExponent: Int
        var codeBlockHeightExponent: Int
        /// Per resolution level (0…levels), width and height exponents; 15 when not defined.
        var precinctExponents: [(Int, Int)]

        init(_ bytes: inout ByteReader, definesPrecincts: Bool) throws {
            levels = try bytes.u8()
            guard levels <= 32 else { throw ImageError.jpeg2000("a coding style declares \(levels) decomposition levels (at most 32)") }
            codeBlockWidthExponent = try bytes.u8() + 2
            codeBlockHeightExponent = try bytes.u8() + 2
            guard codeBlockWidthExponent <= 10, codeBlockHeightExponent <= 10,
                  codeBlockWidthExponent + codeBlockHeightExponent <= 12 else {
                throw ImageError.jpeg2000("a coding style declares code-blocks larger than 4096 samples")
            }
            _ = try bytes.u8()  // code-block style
            _ = try bytes.u8()  // wavelet transform
            precinctExponents = try (0...levels).map { _ in
                guard definesPrecincts else { return (15, 15) }
                let packed = try bytes.u8()
                return (packed & 0x0F, packed >> 4)
            }
        }
    }

    /// The worst (largest-cost) parameters any segment declared for one component.
    struct CodingStyle {
        var levels = 5
        var layers = 1
        var codeBlockWidthExponent = 6
        var codeBlockHeightExponent = 6
        /// Smallest precinct exponents per resolution index (0…32).
        var precinctExponents = [(Int, Int)](repeating: (15, 15), count: 33)
        var touched = false

        mutating func merge(_ parameters: CodingParameters, layers newLayers: Int?) {
            if !touched {  // the first style replaces the defaults; later ones can only make things worse
                touched = true
                levels = parameters.levels
                codeBlockWidthExponent = parameters.codeBlockWidthExponent
                codeBlockHeightExponent = parameters.codeBlockHeightExponent
                precinctExponents = [(Int, Int)](repeating: (15, 15), count: 33)
                for (index, exponents) in parameters.precinctExponents.enumerated() { precinctExponents[index] = exponents }
            } else {
                levels = max(levels, parameters.levels)
                codeBlockWidthExponent = min(codeBlockWidthExponent, parameters.codeBlockWidthExponent)
                codeBlockHeightExponent = min(codeBlockHeightExponent, parameters.codeBlockHeightExponent)
                for (index, exponents) in parameters.precinctExponents.enumerated() {
                    precinctExponents[index] = (min(precinctExponents[index].0, exponents.0), min(precinctExponents[index].1, exponents.1))
                }
            }
            if let newLayers { layers = max(layers, newLayers) }
        }

        /// Bytes of OpenJPEG bookkeeping for one tile-component of `width` × `height` samples, and its precinct count.
        func bookkeeping(width: Int, height: Int) -> (bytes: Int, precincts: Int) {
            var bytes = 0, precincts = 0
            for resolution in 0...levels {
                let reduction = levels - resolution
                let resolutionWidth = JPEG2000Header.ceilDiv(width, 1 << reduction) + 1
                let resolutionHeight = JPEG2000Header.ceilDiv(height, 1 << reduction) + 1
                let (ppx, ppy) = precinctExponents[resolution]
                let precinctCount = JPEG2000Header.mul(JPEG2000Header.ceilDiv(resolutionWidth, 1 << ppx) + 1,
                                                       JPEG2000Header.ceilDiv(resolutionHeight, 1 << ppy) + 1)
                let bands = resolution == 0 ? 1 : 3
                let bandWidth = resolution == 0 ? resolutionWidth : JPEG2000Header.ceilDiv(resolutionWidth, 2) + 1
                let bandHeight = resolution == 0 ? resolutionHeight : JPEG2000Header.ceilDiv(resolutionHeight, 2) + 1
                // Code-blocks are no larger than a precinct's share of a band (B.7).
                let cbx = min(codeBlockWidthExponent, resolution == 0 ? ppx : max(ppx - 1, 0))
                let cby = min(codeBlockHeightExponent, resolution == 0 ? ppy : max(ppy - 1, 0))
                let codeBlocks = JPEG2000Header.mul(bands, JPEG2000Header.mul(JPEG2000Header.ceilDiv(bandWidth, 1 << cbx) + 1,
                                                                              JPEG2000Header.ceilDiv(bandHeight, 1 << cby) + 1))
                bytes = JPEG2000Header.add(bytes, JPEG2000Header.mul(JPEG2000Header.mul(precinctCount, bands), JPEG2000Header.precinctBytes))
                bytes = JPEG2000Header.add(bytes, JPEG2000Header.mul(codeBlocks, JPEG2000Header.codeBlockBytes))
                precincts = JPEG2000Header.add(precincts, precinctCount)
            }
            return (bytes, precincts)
        }
    }

    // Generous per-structure sizes of OpenJPEG 2.5's decoder, rounded up: a tile's coding parameters
    // (opj_tcp_t, with its 32 progression-order entries), a tile-component's (opj_tccp_t, with 97 quantisation
    // step sizes), a precinct-band (opj_tcd_precinct_t with its two tag trees) and a code-block
    // (opj_tcd_cblk_dec_t with its tag-tree leaves and first segment).
    static let tileParameterBytes = 8192
    static let componentParameterBytes = 2048
    static let precinctBytes = 256
    static let codeBlockBytes = 256

    // MARK: Arithmetic that cannot trap (values saturate at Int.max)

    static func ceilDiv(_ value: Int, _ divisor: Int) -> Int { divisor <= 0 ? value : (value / divisor) + (value % divisor == 0 ? 0 : 1) }

    static func mul(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : product
    }

    static func add(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }
}

/// Big-endian reads inside a range of bytes that throw instead of reading past it.
struct ByteReader {
    let bytes: [UInt8]
    let end: Int
    var position: Int

    init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.end = min(range.upperBound, bytes.count)
        self.position = range.lowerBound
    }

    var remaining: Int { end - position }

    mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw ImageError.jpeg2000("the headers are cut off") }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    mutating func u8() throws -> Int { Int(try take(1).first ?? 0) }
    mutating func u16() throws -> Int { try take(2).reduce(0) { $0 << 8 | Int($1) } }
    mutating func u32() throws -> Int { try take(4).reduce(0) { $0 << 8 | Int($1) } }

    /// A marker segment's content after its 2-byte length field (which counts itself).
    mutating func segment() throws -> ArraySlice<UInt8> {
        let length = try u16()
        guard length >= 2 else { throw ImageError.jpeg2000("a marker segment declares a length of \(length)") }
        return try take(length - 2)
    }

    /// A JP2 box (I.4): its four-letter type and the range of its content.
    mutating func box() throws -> (String, Range<Int>) {
        let start = position
        let length = try u32()
        let type = String(decoding: try take(4), as: UTF8.self)
        var headerLength = 8
        var boxLength = length
        if length == 1 {
            let high = try u32(), low = try u32()
            guard high == 0 else { throw ImageError.jpeg2000("a JP2 box declares more than 4 GiB") }
            boxLength = low
            headerLength = 16
        } else if length == 0 {
            boxLength = end - start  // the box runs to the end of the file
        }
        guard boxLength >= headerLength, boxLength <= end - start else {
            throw ImageError.jpeg2000("its \(type.debugDescription) box declares \(boxLength) bytes where \(end - start) remain")
        }
        position = start + boxLength
        return (type, (start + headerLength)..<(start + boxLength))
    }
}
