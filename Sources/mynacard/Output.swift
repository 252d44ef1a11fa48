import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes what a command produces: text or JSON to standard output, messages to standard error.
///
/// Standard output is written with `write(2)` and its errors handled (Foundation's `FileHandle.write`
/// traps on them): a reader that closed the pipe ends the command quietly, as it ends any Unix tool
/// (SIGPIPE); any other failure, such as a full disk, ends it with a message and exit code 5.
/// Files are written by ``OutputFile``.
enum Output {
    /// Writes `text` and a newline to standard output.
    static func line(_ text: String = "") {
        standardOutput(Array((text + "\n").utf8))
    }

    /// Writes `text` and a newline to standard error (progress, warnings, errors). A failure to write
    /// there is ignored: there is nowhere left to report it.
    static func message(_ text: String) {
        _ = writeAll(Array((text + "\n").utf8), to: STDERR_FILENO)
    }

    /// Writes `value` as JSON to standard output.
    static func json(_ value: some Encodable) throws {
        standardOutput(try jsonBytes(value))
    }

    /// `value` as pretty-printed JSON with sorted keys (the stable form for scripts) and a final newline.
    static func jsonBytes(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(value)) + [0x0A]
    }

    /// Writes bytes to standard output, ending the process when that fails (see ``Output``).
    static func standardOutput(_ bytes: [UInt8]) {
        let failure = writeAll(bytes, to: STDOUT_FILENO)
        guard failure != 0 else { return }
        if failure == EPIPE {
            // Whoever read the output has gone: end as a Unix tool does, without a message.
            var pipeSignal = sigset_t()
            sigemptyset(&pipeSignal)
            sigaddset(&pipeSignal, SIGPIPE)
            pthread_sigmask(SIG_UNBLOCK, &pipeSignal, nil)
            signal(SIGPIPE, SIG_DFL)
            raise(SIGPIPE)
            _exit(128 + SIGPIPE)
        }
        message("mynacard: cannot write to standard output: \(systemReason(failure))")
        exit(5)
    }
}

/// Writes all of `bytes` to `descriptor`, retrying after interruptions and short writes.
/// - Returns: 0, or the `errno` of the failure.
func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32 {
    bytes.withUnsafeBytes { buffer in
        guard let base = buffer.baseAddress else { return 0 }
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(descriptor, base + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return 0
    }
}

/// A system error number in words ("No space left on device").
func systemReason(_ code: Int32) -> String {
    String(cString: strerror(code))
}

/// `text` with every control character written as an escape (`\x1B`, `\u{202E}`), so that data from a card
/// or a file printed on a terminal cannot move the cursor, set the window title, clear the screen, hide or
/// reorder what follows. The one helper for every text output of card or file data (JSON escapes on its own).
func terminalSafe(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isUnsafeOnTerminal) else { return text }
    var result = ""
    for scalar in text.unicodeScalars {
        if !isUnsafeOnTerminal(scalar) {
            result.unicodeScalars.append(scalar)
        } else if scalar.value < 0x100 {
            result += "\\x" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 2)
        } else {
            result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        }
    }
    return result
}

/// C0 and C1 control characters and DEL (terminal commands), and the bidirectional-text controls that
/// reorder what a line shows.
private func isUnsafeOnTerminal(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00...0x1F, 0x7F...0x9F: true
    case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
    default: false
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
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
