import APDU
import ArgumentParser
import Foundation
import JPKIApplet
import X509

extension JPKIKey: ExpressibleByArgument {}
extension JPKIHashAlgorithm: ExpressibleByArgument {}

/// Reading the user's files: whole small ones (certificates, signatures), or handles for streaming.
enum InputFiles {
    /// Opens `path` for reading, or standard input for "-".
    static func handle(_ path: String) throws -> FileHandle {
        if path == "-" { return FileHandle.standardInput }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw InputError.cannotRead(path: path, reason: "it is a folder, not a file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InputError.cannotRead(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        return handle
    }

    /// Reads a small file whole (or standard input for "-").
    static func bytes(_ path: String) throws -> [UInt8] {
        do {
            return Array(try handle(path).readToEnd() ?? Data())
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError.cannotRead(path: path, reason: error.localizedDescription)
        }
    }

    /// Loads a certificate from a PEM or DER file.
    static func certificate(_ path: String) throws -> Certificate {
        let bytes = try bytes(path)
        do {
            return try CertificateFile.parse(bytes)
        } catch {
            throw InputError.invalid("\(path) is not an X.509 certificate in PEM or DER form")
        }
    }

    /// The bytes of a signature file: raw binary, base64 text, or the JSON `jpki sign --format json` writes
    /// (its `signature` field; its `hash` is returned too).
    static func signature(_ path: String) throws -> (bytes: [UInt8], hash: JPKIHashAlgorithm?) {
        let file = SignatureFile(try bytes(path))
        return (file.signature, file.hash)
    }
}

/// Bytes given on the command line as hex (an even number of hex digits) or, failing that, base64.
func decodeHexOrBase64(_ text: String) -> [UInt8]? {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    if !trimmed.isEmpty, trimmed.allSatisfy(\.isHexDigit), let bytes = [UInt8](hex: trimmed) { return bytes }
    return Data(base64Encoded: trimmed).map(Array.init).flatMap { $0.isEmpty ? nil : $0 }
}
