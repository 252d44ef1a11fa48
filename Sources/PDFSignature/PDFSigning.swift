import CMS
import Foundation
import SwiftASN1
import X509

/// What a PDF signature says besides the signature itself.
public struct PDFSigningOptions: Sendable {
    /// `/Name`, the signer's name, which the 法務局 requires. Default: the certificate's common name.
    public var name: String?
    /// `/M` and the CMS signingTime: when the document was signed.
    public var signingTime: Date
    /// The time zone `/M` is written in.
    public var timeZone: TimeZone
    /// `/Reason`, if any.
    public var reason: String?
    /// `/Location`, if any.
    public var location: String?

    /// Options for a signature made now, in the machine's time zone.
    public init(name: String? = nil, signingTime: Date = Date(), timeZone: TimeZone = .current,
                reason: String? = nil, location: String? = nil) {
        self.name = name
        self.signingTime = signingTime
        self.timeZone = timeZone
        self.reason = reason
        self.location = location
    }
}

extension PDFFile {
    /// Checks, without signing, that the document can be signed: a catalog, a first page, no certification
    /// against changes. Callers run it before asking for a PIN.
    public func checkSignable() throws(PDFError) {
        _ = try UpdatePlan(self)
    }

    /// Signs the document as an incremental update (ISO 32000-1 §7.5.6, §12.8): the original bytes stay
    /// untouched and first, and an invisible approval signature is appended: a signature dictionary per
    /// the 法務局's table (`/Type /Sig`, `/Filter /Adobe.PPKLite`, `/SubFilter /adbe.pkcs7.detached`,
    /// `/Name`, `/M`, `/ByteRange`, `/Contents` = a detached CMS SignedData with the signer's certificate),
    /// a signature field with its widget on the first page, and the AcroForm with `/SigFlags 3`. A
    /// document signed before keeps its signatures valid, and nothing follows the new signature's revision.
    /// - Returns: the signed document.
    public func signed(by signer: some DigestSigner, options: PDFSigningOptions = PDFSigningOptions()) throws -> [UInt8] {
        let plan = try UpdatePlan(self)
        let algorithm = try signer.algorithm
        var certificateBytes = 0
        for certificate in [signer.certificate] + signer.chain { certificateBytes += try certificate.derEncoded().count }
        let reserved = max(8192, certificateBytes + 4096)

        var next = plan.nextObjectNumber
        func allocate() -> PDFReference { defer { next += 1 }; return PDFReference(next) }
        let signatureReference = allocate()
        let widgetReference = allocate()
        var objects: [(PDFReference, [UInt8])] = []

        // The signature dictionary, with placeholders patched below.
        var signature = Array("<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /Name ".utf8)
        signature += PDFObject.text(options.name ?? Self.commonName(signer.certificate) ?? "unknown").serialized
        signature += Array(" /M ".utf8) + PDFObject.string(Array(Self.pdfDate(options.signingTime, in: options.timeZone).utf8)).serialized
        if let reason = options.reason { signature += Array(" /Reason ".utf8) + PDFObject.text(reason).serialized }
        if let location = options.location { signature += Array(" /Location ".utf8) + PDFObject.text(location).serialized }
        signature += Array(" /ByteRange ".utf8)
        let byteRangeAt = signature.count
        signature += Array(Self.byteRangePlaceholder.utf8)
        signature += Array(" /Contents ".utf8)
        let contentsAt = signature.count
        signature += [UInt8(ascii: "<")] + [UInt8](repeating: UInt8(ascii: "0"), count: reserved * 2) + [UInt8(ascii: ">")]
        signature += Array(">>".utf8)
        objects.append((signatureReference, signature))

        // The field and its widget, one dictionary (§12.5.6.19, §12.7.4.5).
        let widget = PDFDictionary([
            ("Type", .name("Annot")), ("Subtype", .name("Widget")), ("FT", .name("Sig")),
            ("T", .text(plan.newFieldName)), ("V", .reference(signatureReference)), ("F", .integer(132)),
            ("Rect", .array([.integer(0), .integer(0), .integer(0), .integer(0)])), ("P", .reference(plan.pageReference)),
        ])
        objects.append((widgetReference, widget.serialized))

        // The first page lists the widget among its annotations.
        let annotations = PDFObject.array(plan.annotations + [.reference(widgetReference)])
        if let annotationsReference = plan.annotationsReference {
            objects.append((annotationsReference, annotations.serialized))
        } else {
            var page = plan.page
            page["Annots"] = annotations
            objects.append((plan.pageReference, page.serialized))
        }

        // The AcroForm lists the field, with SigFlags 3 (signatures exist, append only).
        var acroForm = plan.acroForm
        let fields = PDFObject.array(plan.fields + [.reference(widgetReference)])
        if let fieldsReference = plan.fieldsReference {
            objects.append((fieldsReference, fields.serialized))
            acroForm["Fields"] = .reference(fieldsReference)
        } else {
            acroForm["Fields"] = fields
        }
        acroForm["SigFlags"] = .integer(3)
        if let acroFormReference = plan.acroFormReference {
            objects.append((acroFormReference, acroForm.serialized))
        } else {
            let acroFormReference = allocate()
            objects.append((acroFormReference, acroForm.serialized))
            var catalog = plan.catalog
            catalog["AcroForm"] = .reference(acroFormReference)
            objects.append((plan.catalogReference, catalog.serialized))
        }

        // Write the update.
        var output = bytes
        if let last = output.last, last != 0x0A && last != 0x0D { output.append(0x0A) }
        var offsets: [Int: (offset: Int, generation: Int)] = [:]
        var signatureObjectAt = 0
        for (reference, body) in objects {
            let generation = plan.generation(of: reference)
            offsets[reference.number] = (output.count, generation)
            let header = Array("\(reference.number) \(generation) obj\n".utf8)
            if reference == signatureReference { signatureObjectAt = output.count + header.count }
            output += header + body + Array("\nendobj\n".utf8)
        }
        var trailer = PDFDictionary([("Size", .integer(next)), ("Root", .reference(plan.catalogReference))])
        if let info = self.trailer["Info"] { trailer["Info"] = info }
        trailer["ID"] = .array([.string(plan.firstID), .string(Self.updateID(output, signingTime: options.signingTime))])
        trailer["Prev"] = .integer(newestSectionOffset)
        if newestSectionIsStream {
            Self.appendCrossReferenceStream(to: &output, offsets: offsets, trailer: trailer, number: allocate())
        } else {
            Self.appendCrossReferenceTable(to: &output, offsets: offsets, trailer: trailer)
        }

        // ByteRange: everything but the /Contents string, up to the end of the file.
        let gapStart = signatureObjectAt + contentsAt
        let gapEnd = gapStart + reserved * 2 + 2
        let range = "[0 \(gapStart) \(gapEnd) \(output.count - gapEnd)]"
        let placeholder = Array(Self.byteRangePlaceholder.utf8)
        guard range.utf8.count <= placeholder.count else { throw PDFError.unsupported("a file larger than 9 GB") }
        let byteRangeStart = signatureObjectAt + byteRangeAt
        output.replaceSubrange(byteRangeStart..<(byteRangeStart + placeholder.count),
                               with: Array(range.utf8) + [UInt8](repeating: 0x20, count: placeholder.count - range.utf8.count))

        var hasher = StreamingHasher(algorithm.hash)
        hasher.update(output[0..<gapStart])
        hasher.update(output[gapEnd..<output.count])
        let cms = try DetachedCMSSignature.sign(contentDigest: hasher.finalize(), with: signer, signingTime: options.signingTime)
        guard cms.count <= reserved else { throw PDFError.signatureTooLarge(needed: cms.count, reserved: reserved) }
        let hex = hexDigits(cms)
        output.replaceSubrange((gapStart + 1)..<(gapStart + 1 + hex.count), with: hex)
        return output
    }

    static let byteRangePlaceholder = "[0 0000000000 0000000000 0000000000]"

    /// A PDF date, `D:YYYYMMDDHHmmSS+HH'mm'` (§7.9.4).
    static func pdfDate(_ date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { let value = value ?? 0; return value < 10 ? "0\(value)" : "\(value)" }
        let offset = timeZone.secondsFromGMT(for: date)
        let zone = offset == 0 ? "Z" : (offset > 0 ? "+" : "-") + two(abs(offset) / 3600) + "'" + two(abs(offset) % 3600 / 60) + "'"
        return "D:\(parts.year ?? 0)" + two(parts.month) + two(parts.day) + two(parts.hour) + two(parts.minute) + two(parts.second) + zone
    }

    /// The certificate subject's common name, if it has one.
    static func commonName(_ certificate: Certificate) -> String? {
        for name in certificate.subject {
            for attribute in name where attribute.type == .RDNAttributeType.commonName {
                return String(describing: attribute.value)
            }
        }
        return nil
    }

    /// The second file identifier of the updated document: derived from its content and the signing time.
    static func updateID(_ bytes: [UInt8], signingTime: Date) -> [UInt8] {
        var hasher = StreamingHasher(.sha256)
        hasher.update(bytes.suffix(4096))
        hasher.update(Array("\(signingTime.timeIntervalSince1970)".utf8))
        return Array(hasher.finalize().bytes.prefix(16))
    }

    static func appendCrossReferenceTable(to output: inout [UInt8], offsets: [Int: (offset: Int, generation: Int)], trailer: PDFDictionary) {
        let start = output.count
        output += Array("xref\n".utf8)
        for run in runs(offsets.keys.sorted()) {
            output += Array("\(run.first ?? 0) \(run.count)\n".utf8)
            for number in run {
                guard let entry = offsets[number] else { continue }
                output += Array((padded(entry.offset, 10) + " " + padded(entry.generation, 5) + " n\r\n").utf8)
            }
        }
        output += Array("trailer\n".utf8) + trailer.serialized + Array("\nstartxref\n\(start)\n%%EOF\n".utf8)
    }

    static func appendCrossReferenceStream(to output: inout [UInt8], offsets: [Int: (offset: Int, generation: Int)],
                                           trailer: PDFDictionary, number: PDFReference) {
        let start = output.count
        var offsets = offsets
        offsets[number.number] = (start, 0)
        let width = start < 1 << 32 ? 4 : 8
        var data: [UInt8] = []
        var index: [PDFObject] = []
        for run in runs(offsets.keys.sorted()) {
            index += [.integer(run.first ?? 0), .integer(run.count)]
            for number in run {
                guard let entry = offsets[number] else { continue }
                data.append(1)
                for shift in stride(from: (width - 1) * 8, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: entry.offset >> shift)) }
                data += [UInt8(truncatingIfNeeded: entry.generation >> 8), UInt8(truncatingIfNeeded: entry.generation)]
            }
        }
        var dictionary = trailer
        dictionary["Size"] = .integer(number.number + 1)
        dictionary["Type"] = .name("XRef")
        dictionary["W"] = .array([.integer(1), .integer(width), .integer(2)])
        dictionary["Index"] = .array(index)
        dictionary["Length"] = .integer(data.count)
        output += Array("\(number.number) 0 obj\n".utf8) + dictionary.serialized + Array("\nstream\n".utf8) + data
        output += Array("\nendstream\nendobj\nstartxref\n\(start)\n%%EOF\n".utf8)
    }

    /// Consecutive runs of sorted numbers: [1, 2, 3, 7, 8] → [[1, 2, 3], [7, 8]].
    static func runs(_ numbers: [Int]) -> [[Int]] {
        var result: [[Int]] = []
        for number in numbers {
            if let last = result.last?.last, last + 1 == number { result[result.count - 1].append(number) } else { result.append([number]) }
        }
        return result
    }

    static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

/// What a signature update must change, read from the document before anything is written.
struct UpdatePlan {
    var catalogReference: PDFReference
    var catalog: PDFDictionary
    var pageReference: PDFReference
    var page: PDFDictionary
    var annotations: [PDFObject]
    var annotationsReference: PDFReference?
    var acroForm: PDFDictionary
    var acroFormReference: PDFReference?
    var fields: [PDFObject]
    var fieldsReference: PDFReference?
    var newFieldName: String
    var nextObjectNumber: Int
    var firstID: [UInt8]
    private var generations: [Int: Int]

    init(_ file: PDFFile) throws(PDFError) {
        guard let root = file.trailer["Root"]?.reference, let catalog = try file.dictionary(.reference(root)) else {
            throw .damaged("the trailer names no document catalog")
        }
        catalogReference = root
        self.catalog = catalog
        try Self.refuseCertifiedAgainstChanges(file, catalog)

        (pageReference, page) = try Self.firstPage(file, catalog)
        let pageAnnotations = page["Annots"]
        annotationsReference = pageAnnotations?.reference
        annotations = try file.resolve(pageAnnotations).array ?? []

        acroFormReference = catalog["AcroForm"]?.reference
        acroForm = try file.dictionary(catalog["AcroForm"]) ?? PDFDictionary()
        fieldsReference = acroForm["Fields"]?.reference
        fields = try file.resolve(acroForm["Fields"]).array ?? []
        var names = Set<String>()
        for field in fields {
            if let name = try file.dictionary(field)?["T"]?.text { names.insert(name) }
        }
        var counter = 1
        while names.contains("Signature\(counter)") { counter += 1 }
        newFieldName = "Signature\(counter)"

        let highest = file.entries.keys.max() ?? 0
        nextObjectNumber = max(file.trailer["Size"]?.integer ?? 0, highest + 1)
        firstID = file.trailer["ID"]?.array?.first?.stringBytes ?? PDFFile.updateID(file.bytes, signingTime: Date(timeIntervalSince1970: 0))
        var generations: [Int: Int] = [:]
        for (number, entry) in file.entries {
            if case .offset(_, let generation) = entry { generations[number] = generation }
        }
        self.generations = generations
    }

    /// The generation an object keeps when it is rewritten (0 for new objects and objects in object streams).
    func generation(of reference: PDFReference) -> Int { generations[reference.number] ?? 0 }

    /// The first page: the first leaf of the page tree (§7.7.3).
    private static func firstPage(_ file: PDFFile, _ catalog: PDFDictionary) throws(PDFError) -> (PDFReference, PDFDictionary) {
        guard var reference = catalog["Pages"]?.reference else { throw .damaged("the catalog has no page tree") }
        var visited = Set<Int>()
        while visited.insert(reference.number).inserted, visited.count < 64 {
            guard let node = try file.dictionary(.reference(reference)) else { throw .damaged("a page tree node is missing") }
            guard let kids = try file.resolve(node["Kids"]).array else { return (reference, node) }
            guard let first = kids.first?.reference else { throw .notSignable("the document has no pages") }
            reference = first
        }
        throw .damaged("the page tree loops or is too deep")
    }

    /// A document certified with "no changes allowed" (DocMDP, P = 1, §12.8.2.2) would be broken by any update.
    private static func refuseCertifiedAgainstChanges(_ file: PDFFile, _ catalog: PDFDictionary) throws(PDFError) {
        guard let permissions = try file.dictionary(catalog["Perms"]), let certification = try file.dictionary(permissions["DocMDP"]) else { return }
        for reference in try file.resolve(certification["Reference"]).array ?? [] {
            let parameters = try file.dictionary(try file.dictionary(reference)?["TransformParams"])
            if parameters?["P"]?.integer == 1 {
                throw .notSignable("it is certified with \"no changes allowed\", so a further signature would break the certification")
            }
        }
    }
}
