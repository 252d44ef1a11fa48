/// A PDF file as read for signing and checking: its bytes, its cross-reference information merged over
/// all revisions (classic tables, cross-reference streams, hybrid files), and lookup of objects, including
/// those inside object streams. The bytes are never changed: signing appends to a copy.
public final class PDFFile {
    /// The file's bytes.
    public let bytes: [UInt8]
    /// The newest trailer (for a cross-reference stream: its dictionary).
    public let trailer: PDFDictionary
    /// Where the newest cross-reference section starts: what an update's /Prev names.
    let newestSectionOffset: Int
    /// Whether the newest section is a cross-reference stream (so an update writes one too).
    let newestSectionIsStream: Bool
    /// The newest entry for every object number.
    let entries: [Int: Entry]
    /// Objects of the object streams read so far, by stream object number.
    private var objectStreamCache: [Int: [Int: PDFObject]] = [:]
    /// Object streams being read, so a stream whose /Length points back into itself cannot loop.
    private var objectStreamsLoading = Set<Int>()

    /// One cross-reference entry.
    enum Entry: Equatable {
        case free
        case offset(Int, generation: Int)
        case compressed(stream: Int, index: Int)
    }

    /// How many cross-reference sections (revisions) are followed at most.
    static let maximumSections = 4096

    /// Reads the cross-reference information of `bytes`.
    /// - Throws: ``PDFError`` when it is not a PDF, is damaged where it matters, or is encrypted.
    public init(bytes: [UInt8]) throws(PDFError) {
        self.bytes = bytes
        guard Self.find(Array("%PDF-".utf8), in: bytes, from: 0, to: min(bytes.count, 1024)) != nil else { throw .notPDF }
        guard let startxref = Self.findLast(Array("startxref".utf8), in: bytes, searching: 4096) else {
            throw .damaged("no startxref at its end")
        }
        var syntax = PDFSyntax(bytes, at: startxref + 9)
        guard let first = syntax.unsignedInteger(), first < bytes.count else { throw .damaged("startxref does not point into the file") }
        var entries: [Int: Entry] = [:]
        var newestTrailer: PDFDictionary?
        var newestIsStream = false
        var pending = [first]
        var visited = Set<Int>()
        while let offset = pending.popLast() {
            guard visited.insert(offset).inserted else { continue }
            guard visited.count <= Self.maximumSections else { throw .damaged("more than \(Self.maximumSections) revisions") }
            let section = try Self.readSection(bytes, at: offset)
            if newestTrailer == nil {
                newestTrailer = section.trailer
                newestIsStream = section.isStream
            }
            for (number, entry) in section.entries where entries[number] == nil { entries[number] = entry }
            // Older sections come after this one's hybrid stream (§7.5.8.4), so push Prev first.
            if let previous = section.trailer["Prev"]?.integer, previous >= 0, previous < bytes.count { pending.append(previous) }
            if let hybrid = section.trailer["XRefStm"]?.integer, hybrid >= 0, hybrid < bytes.count {
                let stream = try Self.readSection(bytes, at: hybrid)
                for (number, entry) in stream.entries where entries[number] == nil || entries[number] == .free {
                    entries[number] = entry
                }
            }
        }
        guard let newestTrailer else { throw .damaged("no cross-reference section") }
        trailer = newestTrailer
        newestSectionOffset = first
        newestSectionIsStream = newestIsStream
        self.entries = entries
        if newestTrailer["Encrypt"] != nil { throw .encrypted }
    }

    // MARK: Cross-reference sections

    struct Section {
        var entries: [Int: Entry]
        var trailer: PDFDictionary
        var isStream: Bool
    }

    static func readSection(_ bytes: [UInt8], at offset: Int) throws(PDFError) -> Section {
        var syntax = PDFSyntax(bytes, at: offset)
        if syntax.consumeKeyword("xref") { return try readTable(&syntax) }
        let (_, object, data) = try indirectObject(bytes, at: offset)
        guard let dictionary = object.dictionary, dictionary["Type"]?.name == "XRef", let data else {
            throw .damaged("startxref or /Prev points to neither a cross-reference table nor a stream (byte \(offset))")
        }
        return Section(entries: try readStreamEntries(dictionary, data), trailer: dictionary, isStream: true)
    }

    private static func readTable(_ syntax: inout PDFSyntax) throws(PDFError) -> Section {
        var entries: [Int: Entry] = [:]
        while true {
            if syntax.consumeKeyword("trailer") {
                return Section(entries: entries, trailer: try syntax.dictionary(), isStream: false)
            }
            guard let start = syntax.unsignedInteger(), let count = syntax.unsignedInteger(), count <= 8_388_608 else {
                throw .damaged("a cross-reference table is malformed")
            }
            for index in 0..<count {
                guard let offset = syntax.unsignedInteger(), let generation = syntax.unsignedInteger() else {
                    throw .damaged("a cross-reference entry is malformed")
                }
                syntax.skipWhitespace()
                let kind = syntax.token()
                let number = start + index
                switch kind {
                case Array("n".utf8): entries[number] = offset == 0 ? .free : .offset(offset, generation: generation)
                case Array("f".utf8): entries[number] = .free
                default: throw .damaged("a cross-reference entry is neither n nor f")
                }
            }
        }
    }

    private static func readStreamEntries(_ dictionary: PDFDictionary, _ data: ArraySlice<UInt8>) throws(PDFError) -> [Int: Entry] {
        let decoded = try decode(dictionary, data)
        guard let widths = dictionary["W"]?.array?.compactMap(\.integer), widths.count == 3,
              widths.allSatisfy({ $0 >= 0 && $0 <= 8 }), widths[1] > 0 else {
            throw .damaged("a cross-reference stream has no usable /W")
        }
        let size = dictionary["Size"]?.integer ?? 0
        var ranges: [(Int, Int)] = []
        if let index = dictionary["Index"]?.array?.compactMap(\.integer) {
            guard index.count % 2 == 0 else { throw .damaged("a cross-reference stream's /Index is odd") }
            ranges = stride(from: 0, to: index.count, by: 2).map { (index[$0], index[$0 + 1]) }
        } else {
            ranges = [(0, size)]
        }
        let rowLength = widths[0] + widths[1] + widths[2]
        var entries: [Int: Entry] = [:]
        var position = 0
        func field(_ width: Int) -> Int {
            var value = 0
            for _ in 0..<width {
                value = value << 8 | Int(decoded[position])
                position += 1
            }
            return value
        }
        for (start, count) in ranges {
            guard start >= 0, count >= 0, count <= 8_388_608 else { throw .damaged("a cross-reference stream's /Index is impossible") }
            for number in start..<(start + count) {
                guard position + rowLength <= decoded.count else { throw .damaged("a cross-reference stream is shorter than its /Index") }
                let type = widths[0] == 0 ? 1 : field(widths[0])
                let second = field(widths[1])
                let third = field(widths[2])
                switch type {
                case 0: entries[number] = .free
                case 1: entries[number] = .offset(second, generation: third)
                case 2: entries[number] = .compressed(stream: second, index: third)
                default: break  // unknown types are references to null (§7.5.8.3)
                }
            }
        }
        return entries
    }

    // MARK: Objects

    /// Parses `n g obj … endobj` at `offset`: the reference, the object, and a stream's raw data.
    static func indirectObject(_ bytes: [UInt8], at offset: Int,
                               length: ((PDFObject) -> Int?)? = nil) throws(PDFError) -> (PDFReference, PDFObject, ArraySlice<UInt8>?) {
        guard offset >= 0, offset < bytes.count else { throw .damaged("an object offset points outside the file") }
        var syntax = PDFSyntax(bytes, at: offset)
        guard let number = syntax.unsignedInteger(), let generation = syntax.unsignedInteger(), syntax.consumeKeyword("obj") else {
            throw .damaged("no object at byte \(offset)")
        }
        let object = try syntax.object()
        guard let dictionary = object.dictionary, syntax.consumeKeyword("stream") else {
            return (PDFReference(number, generation), object, nil)
        }
        // The stream keyword is followed by CR LF or LF (a lone CR is tolerated).
        if syntax.peek() == 0x0D { syntax.position += 1 }
        if syntax.peek() == 0x0A { syntax.position += 1 }
        let start = syntax.position
        let declared = dictionary["Length"].flatMap { $0.integer ?? length?($0) }
        if let declared, declared >= 0, start + declared <= bytes.count {
            var after = PDFSyntax(bytes, at: start + declared)
            if after.consumeKeyword("endstream") { return (PDFReference(number, generation), object, bytes[start..<(start + declared)]) }
        }
        // A wrong /Length: take everything up to endstream, without the end-of-line before it.
        guard let end = find(Array("endstream".utf8), in: bytes, from: start, to: bytes.count) else {
            throw .damaged("a stream has no endstream")
        }
        var last = end
        if last > start, bytes[last - 1] == 0x0A { last -= 1 }
        if last > start, bytes[last - 1] == 0x0D { last -= 1 }
        return (PDFReference(number, generation), object, bytes[start..<last])
    }

    /// The object `reference` points to; `.null` for a free or missing one (§7.3.10).
    public func object(_ reference: PDFReference) throws(PDFError) -> PDFObject {
        switch entries[reference.number] {
        case .offset(let offset, _):
            let (found, object, _) = try Self.indirectObject(bytes, at: offset)
            guard found.number == reference.number else {
                throw .damaged("the cross-reference entry of object \(reference.number) points to object \(found.number)")
            }
            return object
        case .compressed(let stream, _):
            return try compressedObject(reference.number, stream: stream)
        case .free, nil:
            return .null
        }
    }

    /// `object`, or what it refers to when it is a reference (followed a few times at most).
    public func resolve(_ object: PDFObject?) throws(PDFError) -> PDFObject {
        var current = object ?? .null
        for _ in 0..<16 {
            guard case .reference(let reference) = current else { return current }
            current = try self.object(reference)
        }
        throw .damaged("references refer to references too many times")
    }

    /// The dictionary `object` is or refers to.
    func dictionary(_ object: PDFObject?) throws(PDFError) -> PDFDictionary? {
        try resolve(object).dictionary
    }

    /// Where an object not inside an object stream sits in the file: from `n g obj` to after `endobj`.
    func span(of reference: PDFReference) -> Range<Int>? {
        guard case .offset(let offset, _) = entries[reference.number],
              let end = Self.find(Array("endobj".utf8), in: bytes, from: offset, to: bytes.count) else { return nil }
        return offset..<(end + 6)
    }

    private func compressedObject(_ number: Int, stream: Int) throws(PDFError) -> PDFObject {
        if let cached = objectStreamCache[stream] { return cached[number] ?? .null }
        guard case .offset(let offset, _) = entries[stream] else { throw .damaged("object stream \(stream) is missing") }
        guard objectStreamsLoading.insert(stream).inserted else { throw .damaged("object stream \(stream) refers to itself") }
        defer { objectStreamsLoading.remove(stream) }
        let (_, object, data) = try Self.indirectObject(bytes, at: offset) { [self] in try? resolve($0).integer }
        guard let dictionary = object.dictionary, let data, let count = dictionary["N"]?.integer,
              let first = dictionary["First"]?.integer, count >= 0, first >= 0 else {
            throw .damaged("object stream \(stream) is malformed")
        }
        let decoded = try Self.decode(dictionary, data)
        var header = PDFSyntax(decoded, at: 0)
        var objects: [Int: PDFObject] = [:]
        for _ in 0..<min(count, 1 << 20) {
            guard let objectNumber = header.unsignedInteger(), let relative = header.unsignedInteger() else {
                throw .damaged("object stream \(stream) has a malformed header")
            }
            guard first + relative < decoded.count else { throw .damaged("object stream \(stream) points outside itself") }
            var reader = PDFSyntax(decoded, at: first + relative)
            // Only the objects the newest cross-reference assigns to this stream count.
            if objects[objectNumber] == nil { objects[objectNumber] = try reader.object() }
        }
        objectStreamCache[stream] = objects
        return objects[number] ?? .null
    }

    // MARK: Streams

    /// A stream's data with its filters undone: none, or FlateDecode with an optional PNG predictor.
    static func decode(_ dictionary: PDFDictionary, _ data: ArraySlice<UInt8>) throws(PDFError) -> [UInt8] {
        var filters: [PDFName] = []
        if let name = dictionary["Filter"]?.name { filters = [name] }
        if let list = dictionary["Filter"]?.array { filters = list.compactMap(\.name) }
        guard filters.count <= 1 else { throw .unsupported("a stream with several filters") }
        guard let filter = filters.first else { return Array(data) }
        guard filter == "FlateDecode" else { throw .unsupported("the \(filter.text) filter in a cross-reference or object stream") }
        var decoded = try Inflate.decompress(data)
        var parameters = dictionary["DecodeParms"]?.dictionary
        if let list = dictionary["DecodeParms"]?.array { parameters = list.first?.dictionary }
        if let parameters, let predictor = parameters["Predictor"]?.integer, predictor > 1 {
            guard predictor >= 10 else { throw .unsupported("the TIFF predictor") }
            let columns = parameters["Columns"]?.integer ?? 1
            let colors = parameters["Colors"]?.integer ?? 1
            let bits = parameters["BitsPerComponent"]?.integer ?? 8
            guard (1...4).contains(colors), [1, 2, 4, 8, 16].contains(bits) else { throw .damaged("a stream has impossible predictor parameters") }
            guard columns > 0, columns < 1 << 20 else { throw .damaged("a stream has an impossible predictor width") }
            decoded = try Inflate.undoPNGPredictor(decoded, columns: (columns * colors * bits + 7) / 8, bytesPerPixel: max(1, colors * bits / 8))
        }
        return decoded
    }

    // MARK: Searching bytes

    /// The first index of `needle` in `bytes[from..<to]`.
    static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int, to: Int) -> Int? {
        guard let first = needle.first, from >= 0, to <= bytes.count, to - from >= needle.count else { return nil }
        var index = from
        while index + needle.count <= to {
            if bytes[index] == first && bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// The last index of `needle` within the last `window` bytes.
    static func findLast(_ needle: [UInt8], in bytes: [UInt8], searching window: Int) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        var index = bytes.count - needle.count
        let stop = max(0, bytes.count - window)
        while index >= stop {
            if bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index -= 1
        }
        return nil
    }

    /// Where each revision ends: just after every `%%EOF` and the end-of-line that follows it.
    public var revisionEnds: [Int] {
        var ends: [Int] = []
        var from = 0
        let marker = Array("%%EOF".utf8)
        while let found = Self.find(marker, in: bytes, from: from, to: bytes.count) {
            var end = found + marker.count
            if end < bytes.count, bytes[end] == 0x0D { end += 1 }
            if end < bytes.count, bytes[end] == 0x0A { end += 1 }
            ends.append(end)
            from = found + marker.count
        }
        return ends
    }
}
