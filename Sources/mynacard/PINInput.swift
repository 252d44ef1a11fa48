import APDU
import ArgumentParser
import CardSession
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where PINs come from. Never the command line itself: arguments show in `ps` and shell history.
struct PINInputOptions: ParsableArguments {
    @Flag(name: .long, help: "Read the PIN from standard input (one PIN per line).")
    var pinStdin = false

    @Option(name: .long, help: ArgumentHelp("Read the PIN from this open file descriptor (one PIN per line).", valueName: "fd"))
    var pinFd: Int32?

    @Option(name: .long, help: ArgumentHelp("Read the PIN from this environment variable.", valueName: "name"))
    var pinEnv: String?

    @Flag(name: .long, help: "Send the PIN even when only one try is left (a wrong PIN then blocks it).")
    var force = false

    func validate() throws {
        let sources = [pinStdin, pinFd != nil, pinEnv != nil].filter { $0 }.count
        if sources > 1 { throw ValidationError("give only one of --pin-stdin, --pin-fd and --pin-env") }
        if let fd = pinFd, fd < 0 { throw ValidationError("--pin-fd takes a file descriptor number (0 or more)") }
        if let name = pinEnv, name.isEmpty { throw ValidationError("--pin-env takes the name of an environment variable") }
    }

    /// A reader of PINs from the chosen source; successive calls read successive lines.
    func makeReader() -> PINReader {
        if pinStdin { return PINReader(source: .descriptor(0, name: "standard input")) }
        if let fd = pinFd { return PINReader(source: .descriptor(fd, name: "file descriptor \(fd)")) }
        if let name = pinEnv { return PINReader(source: .environment(name)) }
        return PINReader(source: .terminal)
    }
}

/// Why a PIN could not be read.
enum PINInputError: Error, CustomStringConvertible {
    case noTerminal
    case environmentUnset(String)
    case environmentUsedTwice(String)
    case endOfInput(String)
    case readFailed(String, Int32)
    case mismatch

    var description: String {
        switch self {
        case .noTerminal:
            "a PIN is needed but there is no terminal to ask on: pass it with --pin-stdin, --pin-fd N or --pin-env NAME"
        case .environmentUnset(let name): "the environment variable \(name) (from --pin-env) is not set"
        case .environmentUsedTwice(let name): "this command needs more than one PIN; --pin-env \(name) holds only one: use --pin-stdin or --pin-fd"
        case .endOfInput(let source): "\(source) ended before a PIN was read"
        case .readFailed(let source, let code): "cannot read a PIN from \(source): \(String(cString: strerror(code)))"
        case .mismatch: "the two new PINs differ; nothing was changed"
        }
    }
}

/// Reads PINs into ``PINCode`` values, wiping every buffer it used.
final class PINReader {
    enum Source {
        case terminal
        case descriptor(Int32, name: String)
        case environment(String)
    }

    private let source: Source
    private var environmentUsed = false

    init(source: Source) { self.source = source }

    /// Whether PINs are typed by a person (so a new PIN is asked twice).
    var isInteractive: Bool { if case .terminal = source { true } else { false } }

    /// Reads one PIN; `prompt` is shown only when asking on the terminal.
    func read(prompt: String) throws -> PINCode {
        switch source {
        case .environment(let name):
            guard !environmentUsed else { throw PINInputError.environmentUsedTwice(name) }
            environmentUsed = true
            guard let value = getenv(name) else { throw PINInputError.environmentUnset(name) }
            var bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self), count: strlen(value)))
            return PINCode(consuming: &bytes)
        case .descriptor(let fd, let name):
            var bytes = try Self.readLine(from: fd, sourceName: name)
            return PINCode(consuming: &bytes)
        case .terminal:
            let tty = open("/dev/tty", O_RDWR | O_NOCTTY)
            guard tty >= 0 else { throw PINInputError.noTerminal }
            defer { close(tty) }
            _ = prompt.withCString { Glibc.write(tty, $0, strlen($0)) }
            var saved = termios()
            let hasTermios = tcgetattr(tty, &saved) == 0
            if hasTermios {
                var silent = saved
                silent.c_lflag &= ~tcflag_t(ECHO)
                tcsetattr(tty, TCSAFLUSH, &silent)
            }
            defer {
                if hasTermios { tcsetattr(tty, TCSAFLUSH, &saved) }
                _ = Glibc.write(tty, "\n", 1)
            }
            var bytes = try Self.readLine(from: tty, sourceName: "the terminal")
            return PINCode(consuming: &bytes)
        }
    }

    /// Reads bytes up to a newline (not included; a CR before it is dropped), one byte at a time so
    /// that nothing past the line is consumed.
    private static func readLine(from fd: Int32, sourceName: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let got = Glibc.read(fd, &byte, 1)
            if got < 0 {
                if errno == EINTR { continue }
                let code = errno
                wipe(&bytes)
                throw PINInputError.readFailed(sourceName, code)
            }
            if got == 0 {
                if bytes.isEmpty { throw PINInputError.endOfInput(sourceName) }
                break
            }
            if byte == 0x0A { break }
            bytes.append(byte)
        }
        byte = 0
        if bytes.last == 0x0D { bytes.removeLast() }
        return bytes
    }
}
