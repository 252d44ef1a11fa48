import Foundation

/// Writes what a command produces: text or JSON to standard output, messages to standard error.
enum Output {
    /// Writes `text` and a newline to standard output.
    static func line(_ text: String = "") {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Writes `text` and a newline to standard error (progress, warnings, errors).
    static func message(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Writes raw bytes to standard output.
    static func bytes(_ data: [UInt8]) {
        FileHandle.standardOutput.write(Data(data))
    }

    /// Writes `value` as JSON to standard output.
    static func json(_ value: some Encodable) throws {
        bytes(try jsonBytes(value))
    }

    /// `value` as pretty-printed JSON with sorted keys (the stable form for scripts) and a final newline.
    static func jsonBytes(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(value)) + [0x0A]
    }

    /// Writes `data` to `path`, or to standard output when `path` is nil or "-".
    static func write(_ data: [UInt8], to path: String?) throws {
        guard let path, path != "-" else { return bytes(data) }
        do {
            try Data(data).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw InputError.cannotWrite(path: path, reason: error.localizedDescription)
        }
    }
}

/// A problem with the user's files or input, not with the card.
enum InputError: Error, CustomStringConvertible {
    case cannotRead(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case invalid(String)

    var description: String {
        switch self {
        case .cannotRead(let path, let reason): "cannot read \(path): \(reason)"
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        case .invalid(let why): why
        }
    }
}

/// A check that ran and said no (bad signature, unhealthy card). Its report has been written already.
struct NegativeResult: Error, CustomStringConvertible {
    var description: String
}
