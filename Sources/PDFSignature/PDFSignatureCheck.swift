import CMS
import Foundation
import X509

/// One requirement checked on a signature, with its outcome in words.
public struct PDFRequirement: Equatable, Sendable {
    /// A short stable identifier, e.g. `subfilter`.
    public let id: String
    /// What is required, e.g. "/SubFilter is /adbe.pkcs7.detached".
    public let requirement: String
    /// Whether the signature meets it.
    public let passed: Bool
    /// What was found.
    public let detail: String

    /// A requirement and its outcome.
    public init(id: String, requirement: String, passed: Bool, detail: String) {
        self.id = id
        self.requirement = requirement
        self.passed = passed
        self.detail = detail
    }
}

/// A signature found in a PDF, what it covers, and how it fares against the 法務局's table for
/// 電子署名付きPDFファイル (docs/pdf-signatures.md) and against its own certificate.
public struct PDFSignatureReport: Sendable {
    /// The signature field's name (`/T`).
    public let fieldName: String
    /// `/Name`: the signer's name as the signature dictionary gives it.
    public let name: String?
    /// `/M` as written.
    public let signingTimeText: String?
    /// `/M` as a date, when it is a valid PDF date.
    public let signingTime: Date?
    /// `/ByteRange`.
    public let byteRange: [Int]
    /// How many bytes the signature covers.
    public let coveredBytes: Int
    /// Whether it covers the whole file (all but its own /Contents).
    public let coversWholeFile: Bool
    /// The CMS signature, when `/Contents` holds a usable one.
    public let cms: DetachedCMSSignature?
    /// The signer's certificate, as embedded in the CMS.
    public let signerCertificate: Certificate?
    /// Every requirement checked, in order.
    public internal(set) var requirements: [PDFRequirement]

    /// Whether every requirement passed.
    public var passed: Bool { requirements.allSatisfy(\.passed) }

    /// Where the covered bytes end (0 when the /ByteRange is unusable).
    var coveredEnd: Int { byteRange.count == 4 ? byteRange[2] &+ byteRange[3] : 0 }
}

extension PDFFile {
    /// Every signature in the document's AcroForm, oldest first (by where its revision ends), each
    /// checked point by point. The last one must cover the whole file: nothing may follow it.
    public func signatureReports() throws(PDFError) -> [PDFSignatureReport] {
        var found: [(String, PDFReference?, PDFDictionary)] = []
        if let root = trailer["Root"], let catalog = try dictionary(root), let form = try dictionary(catalog["AcroForm"]) {
            try collectSignatures(try resolve(form["Fields"]).array ?? [], inheritedType: nil, prefix: "", into: &found, visited: [])
        }
        var reports = found.map { report(field: $0.0, reference: $0.1, dictionary: $0.2) }
        reports.sort { $0.coveredEnd < $1.coveredEnd }
        if let last = reports.indices.last {
            let whole = reports[last].coversWholeFile
            reports[last].requirements.append(PDFRequirement(
                id: "nothing-after", requirement: "nothing is written after the last signature", passed: whole,
                detail: whole ? "the last signature covers the file to its end"
                    : "\(bytes.count - reports[last].coveredEnd) bytes after the last signature's revision are not covered by any signature"))
        }
        return reports
    }

    private func collectSignatures(_ fields: [PDFObject], inheritedType: PDFName?, prefix: String,
                                   into found: inout [(String, PDFReference?, PDFDictionary)], visited: Set<Int>) throws(PDFError) {
        guard visited.count < 32 else { return }
        for field in fields {
            var visited = visited
            if let reference = field.reference, !visited.insert(reference.number).inserted { continue }
            guard let dictionary = try dictionary(field) else { continue }
            let partial = dictionary["T"]?.text
            let name = [prefix, partial ?? ""].filter { !$0.isEmpty }.joined(separator: ".")
            let type = dictionary["FT"]?.name ?? inheritedType
            if type == "Sig", let value = dictionary["V"] {
                if let signature = try self.dictionary(value) { found.append((name, value.reference, signature)) }
            }
            if let kids = try resolve(dictionary["Kids"]).array {
                try collectSignatures(kids, inheritedType: type, prefix: name, into: &found, visited: visited)
            }
        }
    }

    private func report(field: String, reference: PDFReference?, dictionary: PDFDictionary) -> PDFSignatureReport {
        var requirements: [PDFRequirement] = []
        func check(_ id: String, _ requirement: String, _ passed: Bool, _ detail: String) {
            requirements.append(PDFRequirement(id: id, requirement: requirement, passed: passed, detail: detail))
        }
        let type = dictionary["Type"]?.name
        check("type", "/Type is /Sig", type == "Sig", type.map { "/Type is \($0)" } ?? "there is no /Type")
        let subFilter = dictionary["SubFilter"]?.name
        check("subfilter", "/SubFilter is /adbe.pkcs7.detached", subFilter == "adbe.pkcs7.detached",
              subFilter.map { "/SubFilter is \($0)" } ?? "there is no /SubFilter")
        let name = dictionary["Name"]?.text
        // Details never quote the name: it is personal data, which callers show masked or not.
        check("name", "/Name gives the signer's name", !(name ?? "").isEmpty,
              name.map { $0.isEmpty ? "/Name is empty" : "/Name is present" } ?? "there is no /Name")
        let timeText = dictionary["M"].flatMap { $0.stringBytes }.map { String(decoding: $0, as: UTF8.self) }
        let time = timeText.flatMap(Self.parsePDFDate)
        check("signing-time", "/M gives the signing time as a PDF date", time != nil,
              timeText.map { time == nil ? "/M is \($0), not a PDF date D:YYYYMMDDHHmmSS…" : "/M is \($0)" } ?? "there is no /M")

        // ByteRange: two ranges from the start to the end of a revision, around exactly the /Contents string.
        let range = dictionary["ByteRange"]?.array?.compactMap(\.integer) ?? []
        var covered = 0
        var coversAll = false
        var rangeProblem: String?
        if range.count != 4 || range.contains(where: { $0 < 0 }) {
            rangeProblem = "/ByteRange is not four non-negative numbers"
        } else if range[0] != 0 {
            rangeProblem = "/ByteRange does not start at the beginning of the file"
        } else if range[1] > range[2] || range[2] > bytes.count || range[3] > bytes.count - range[2] {
            rangeProblem = "/ByteRange points outside the file or overlaps itself"
        } else {
            covered = range[1] + range[3]
            let end = range[2] + range[3]
            coversAll = end == bytes.count
            if !contentsFills(range[1]..<range[2], reference: reference) {
                rangeProblem = "the gap in /ByteRange is not exactly the /Contents string"
            } else if !revisionEnds.contains(end) && !coversAll {
                rangeProblem = "/ByteRange does not end where a revision ends (%%EOF)"
            }
        }
        check("byte-range", "/ByteRange covers the file from its start to the end of the signature's revision, all but /Contents",
              rangeProblem == nil, rangeProblem ?? "bytes 0–\(range[1]) and \(range[2])–\(range[2] + range[3]): all but the /Contents string, "
                + (coversAll ? "to the end of the file" : "to the end of its revision"))

        // Contents: a detached CMS SignedData with the signer's certificate and the signed attributes.
        var cms: DetachedCMSSignature?
        var signer: Certificate?
        let contents = dictionary["Contents"]?.stringBytes
        var contentsDetail = "there is no /Contents string"
        if let contents {
            do {
                let parsed = try DetachedCMSSignature(derEncoded: Self.trimmingPadding(contents))
                cms = parsed
                signer = parsed.embeddedSignerCertificate
                contentsDetail = signer == nil ? "the CMS does not carry the signer's certificate"
                    : "a detached CMS SignedData (\(parsed.signatureAlgorithm.name)) carrying the signer's certificate"
            } catch {
                contentsDetail = "\(error)"
            }
        }
        check("contents", "/Contents is a detached CMS (PKCS#7) SignedData carrying the signer's certificate", signer != nil, contentsDetail)
        if let cms {
            check("signed-attributes", "the CMS signs contentType, messageDigest and signingTime", cms.signingTime != nil,
                  cms.signingTime == nil ? "there is no signingTime attribute" : "contentType, messageDigest and signingTime are signed")
        }

        // Integrity: the covered bytes' digest and the signature, with the embedded certificate.
        if let cms, let signer, rangeProblem == nil {
            var hasher = StreamingHasher(cms.hash)
            hasher.update(bytes[0..<range[1]])
            hasher.update(bytes[range[2]..<(range[2] + range[3])])
            let verdict = cms.verify(contentDigest: hasher.finalize(), signer: signer)
            let why: String = if case .invalid(let reason) = verdict { reason } else { "" }
            check("integrity", "the covered bytes are unchanged and the signature matches the signer's certificate",
                  verdict.isValid, verdict.isValid ? "\(cms.hash.rawValue.uppercased()) digest and \(cms.signatureAlgorithm.name) signature verify" : why)
        } else {
            check("integrity", "the covered bytes are unchanged and the signature matches the signer's certificate", false,
                  "cannot be checked without a usable /ByteRange and /Contents")
        }
        return PDFSignatureReport(fieldName: field, name: name, signingTimeText: timeText, signingTime: time, byteRange: range,
                                  coveredBytes: covered, coversWholeFile: coversAll, cms: cms, signerCertificate: signer,
                                  requirements: requirements)
    }

    /// Whether `gap` is exactly a hexadecimal string `<…>` inside the signature dictionary's object.
    private func contentsFills(_ gap: Range<Int>, reference: PDFReference?) -> Bool {
        guard gap.count >= 2, gap.lowerBound >= 0, gap.upperBound <= bytes.count,
              bytes[gap.lowerBound] == UInt8(ascii: "<"), bytes[gap.upperBound - 1] == UInt8(ascii: ">") else { return false }
        for byte in bytes[(gap.lowerBound + 1)..<(gap.upperBound - 1)] {
            guard PDFSyntax.hexValue(byte) != nil || PDFSyntax.isWhitespace(byte) else { return false }
        }
        if let reference, let span = span(of: reference) { return span.contains(gap.lowerBound) && span.contains(gap.upperBound - 1) }
        return true
    }

    /// The CMS without the zero bytes that pad the reserved space: its DER length says where it ends.
    static func trimmingPadding(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= 2, bytes[0] == 0x30 else { return bytes }
        let first = Int(bytes[1])
        if first < 0x80 { return Array(bytes.prefix(2 + first)) }
        let count = first & 0x7F
        guard count >= 1, count <= 4, bytes.count >= 2 + count else { return bytes }
        let length = bytes[2..<(2 + count)].reduce(0) { $0 << 8 | Int($1) }
        return Array(bytes.prefix(2 + count + length))
    }

    /// Parses a PDF date `D:YYYYMMDDHHmmSS` with an optional time zone `Z`, `+HH'mm'` or `-HH'mm'` (§7.9.4).
    public static func parsePDFDate(_ text: String) -> Date? {
        var characters = Array(text.utf8)
        if characters.starts(with: Array("D:".utf8)) { characters.removeFirst(2) }
        guard characters.count >= 14, characters.prefix(14).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        func number(_ start: Int, _ length: Int) -> Int { characters[start..<(start + length)].reduce(0) { $0 * 10 + Int($1 - 0x30) } }
        var components = DateComponents(year: number(0, 4), month: number(4, 2), day: number(6, 2),
                                        hour: number(8, 2), minute: number(10, 2), second: number(12, 2))
        guard (1...12).contains(components.month ?? 0), (1...31).contains(components.day ?? 0), (0...23).contains(components.hour ?? 99),
              (0...59).contains(components.minute ?? 99), (0...59).contains(components.second ?? 99) else { return nil }
        var offset = 0
        let zone = Array(characters.dropFirst(14))
        if let sign = zone.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            let digits = zone.dropFirst().filter { $0 >= 0x30 && $0 <= 0x39 }
            guard digits.count >= 2 else { return nil }
            let hours = Int(digits[digits.startIndex] - 0x30) * 10 + Int(digits[digits.startIndex + 1] - 0x30)
            let minutes = digits.count >= 4 ? Int(digits[digits.startIndex + 2] - 0x30) * 10 + Int(digits[digits.startIndex + 3] - 0x30) : 0
            offset = (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
        } else if !zone.isEmpty && zone != Array("Z".utf8) && zone != Array("Z00'00'".utf8) {
            return nil
        }
        components.timeZone = TimeZone(secondsFromGMT: offset)
        return Calendar(identifier: .gregorian).date(from: components)
    }
}
