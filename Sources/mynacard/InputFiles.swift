import APDU
import ArgumentParser
import Foundation
import JPKIApplet
import X509
#if canImport(Glibc)
import Glibc
#endif

extension JPKIKey: ExpressibleByArgument {}
extension JPKIHashAlgorithm: ExpressibleByArgument {}

/// An input file opened for reading (or standard input for "-"), checked when opened: it exists, it may
/// be read, it is not a folder.
struct InputFile {
    /// The path as given, "-" for standard input.
    let path: String
    /// The open file.
    let handle: FileHandle
    /// Which file it is, to refuse an output that would overwrite it (nil for standard input).
    let identity: FileIdentity?

    /// Closes the file (standard input stays open).
    func close() {
        if path != "-" { try? handle.close() }
    }
}

/// Reading the user's files: whole small ones (certificates, signatures, bundles) with a size cap, or
/// handles for streaming any size. Errors say what is wrong in plain words.
enum InputFiles {
    /// The most a small input file (a certificate, a signature, a login bundle, a root key, a challenge)
    /// may hold: real ones are a few KiB; a CMS signature with a long chain stays far below this.
    static let smallFileLimit = 1 << 20

    /// Opens `path` for reading, or standard input for "-".
    static func open(_ path: String) throws -> InputFile {
        if path == "-" { return InputFile(path: path, handle: FileHandle.standardInput, identity: nil) }
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else { throw InputError.cannotRead(path: shownName(path, errno), reason: reason(errno)) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw InputError.cannotRead(path: terminalSafe(path), reason: reason(code))
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            Glibc.close(descriptor)
            throw InputError.cannotRead(path: terminalSafe(path), reason: "it is a folder, not a file")
        }
        return InputFile(path: path, handle: FileHandle(fileDescriptor: descriptor, closeOnDealloc: true),
                         identity: FileIdentity(descriptor: descriptor))
    }

    /// Reads a small file whole (or standard input for "-"), refusing one larger than `limit` bytes.
    /// `what` names what the file should be ("a certificate").
    static func bytes(_ path: String, what: String, limit: Int = smallFileLimit) throws -> [UInt8] {
        let file = try open(path)
        defer { file.close() }
        let descriptor = file.handle.fileDescriptor
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let got = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw InputError.cannotRead(path: terminalSafe(path), reason: reason(errno))
            }
            if got == 0 { return bytes }
            bytes += chunk.prefix(got)
            if bytes.count > limit {
                throw InputError.invalid("\(path == "-" ? "standard input" : terminalSafe(path)) is larger than \(limit >> 10) KiB: too large for \(what)")
            }
        }
    }

    /// Loads a certificate from a PEM or DER file.
    static func certificate(_ path: String) throws -> Certificate {
        let bytes = try bytes(path, what: "a certificate")
        do {
            return try CertificateFile.parse(bytes)
        } catch {
            throw InputError.invalid("\(terminalSafe(path)) is not an X.509 certificate in PEM or DER form"
                + (describeContent(bytes).map { ": it looks like \($0)" } ?? ""))
        }
    }

    /// The bytes of a signature file: raw binary, base64 text, or the JSON `jpki sign --format json` writes
    /// (its `signature` field; its `hash` is returned too).
    static func signature(_ path: String) throws -> (bytes: [UInt8], hash: JPKIHashAlgorithm?) {
        let file = SignatureFile(try bytes(path, what: "a signature"))
        return (file.signature, file.hash)
    }

    /// Refuses a file given as a bare signature that is plainly something else: a CMS signature (which
    /// needs --cms), or text, PEM, JSON, or nothing, of a length no RSA or ECDSA (r‖s) signature has and not
    /// shaped as a DER ECDSA signature. Bytes that may be a signature are left for the verification to judge.
    static func checkBareSignature(_ bytes: [UInt8], path: String) throws {
        guard let kind = describeContent(bytes) else { return }
        let isCMS = kind == cmsDescription
        guard isCMS || ![128, 256, 384, 512, 64, 96, 132].contains(bytes.count) else { return }
        if !isCMS && isDERECDSASignature(bytes) { return }
        throw InputError.invalid("\(terminalSafe(path)) is not a bare signature: it looks like \(kind)"
            + (isCMS ? "; check it with --cms" : "; give the file `mynacard jpki sign` wrote (raw, base64 or JSON)"))
    }

    /// Parses a detached CMS signature read from `path`, saying what the file looks like when it is none.
    static func cmsSignature(_ bytes: [UInt8], path: String) throws -> DetachedCMSSignature {
        do {
            return try DetachedCMSSignature(derEncoded: bytes)
        } catch {
            let why = (error as? CMSFormatError)?.description ?? "not a usable CMS signature: its DER structure is damaged"
            let looks = describeContent(bytes).flatMap { $0 == cmsDescription ? nil : "; it looks like \($0)" } ?? ""
            throw InputError.invalid("\(terminalSafe(path)) is \(why)\(looks)")
        }
    }

    /// Whether `bytes` are shaped as a DER `ECDSA-Sig-Value`, SEQUENCE { r INTEGER, s INTEGER } (RFC 5480),
    /// as openssl and EC keys write signatures; short-form lengths, which every curve up to P-521 fits.
    private static func isDERECDSASignature(_ bytes: [UInt8]) -> Bool {
        var index = 2
        guard bytes.count >= 8, bytes.count <= 141, bytes[0] == 0x30 else { return false }
        // P-521's SEQUENCE length needs the long form 0x81 xx.
        if bytes[1] == 0x81 { index = 3 }
        guard index < bytes.count, Int(bytes[index - 1]) == bytes.count - index else { return false }
        for _ in 0..<2 {
            guard index + 1 < bytes.count, bytes[index] == 0x02 else { return false }
            index += 2 + Int(bytes[index + 1])
        }
        return index == bytes.count
    }

    private static let cmsDescription = "a CMS (PKCS#7) signature"

    /// What a file that is not what was expected seems to hold, in words ("a CMS (PKCS#7) signature"),
    /// or nil when it is just bytes.
    static func describeContent(_ bytes: [UInt8]) -> String? {
        if bytes.isEmpty { return "an empty file" }
        if let text = String(bytes: bytes.prefix(4096), encoding: .utf8) {
            if let range = text.range(of: "-----BEGIN ") {
                let label = text[range.upperBound...].prefix { $0 != "-" && !$0.isNewline }
                return "a PEM file holding \(label.isEmpty ? "something" : terminalSafe(String(label)))"
            }
            if text.first == "{" { return "a JSON document" }
        }
        // ContentInfo { contentType signedData (1.2.840.113549.1.7.2), … }: the DER of that OID.
        let signedDataOID: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]
        if bytes.first == 0x30, Array(bytes.prefix(32)).contains(run: signedDataOID) {
            return cmsDescription
        }
        if bytes.first == 0x30 { return "DER-encoded data (an ASN.1 structure), such as a certificate" }
        if bytes.starts(with: [0x25, 0x50, 0x44, 0x46]) { return "a PDF document" }
        if bytes.allSatisfy({ $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || (0x20..<0x7F).contains($0) }) { return "text" }
        return nil
    }

    /// A plain-language reason for a failed open or read.
    static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT: "no such file"
        case EACCES, EPERM: "permission denied"
        case EISDIR: "it is a folder, not a file"
        case ENOTDIR: "a part of the path is not a folder"
        default: systemReason(code)
        }
    }

    /// How a path that failed to open is named in the message: not at all when it does not exist and has the
    /// shape of a PIN — a PIN typed as an argument by mistake must not be repeated on the screen.
    private static func shownName(_ path: String, _ code: Int32) -> String {
        code == ENOENT && hasPINShape(path) ? "an argument shaped like a PIN (not repeated here; PINs are never arguments)" : terminalSafe(path)
    }
}

private extension Array where Element == UInt8 {
    /// Whether `pattern` occurs somewhere in these bytes.
    func contains(run pattern: [UInt8]) -> Bool {
        guard !pattern.isEmpty, count >= pattern.count else { return false }
        return (0...(count - pattern.count)).contains { self[$0..<($0 + pattern.count)].elementsEqual(pattern) }
    }
}

/// Bytes given on the command line as hex (an even number of hex digits) or, failing that, base64.
func decodeHexOrBase64(_ text: String) -> [UInt8]? {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    if !trimmed.isEmpty, trimmed.allSatisfy(\.isHexDigit), let bytes = [UInt8](hex: trimmed) { return bytes }
    return Data(base64Encoded: trimmed).map(Array.init).flatMap { $0.isEmpty ? nil : $0 }
}
