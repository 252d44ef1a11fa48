import APDU
import ArgumentParser
import CardIO
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

    @Option(name: .long, help: ArgumentHelp("Read the PIN from the environment variable of this name (which is then removed from this process's environment).", valueName: "name"))
    var pinEnv: String?

    @Flag(name: .long, help: "Send the PIN even when only one try is left (a wrong PIN then blocks it).")
    var force = false

    func validate() throws {
        let sources = [pinStdin, pinFd != nil, pinEnv != nil].filter { $0 }.count
        if sources > 1 { throw ValidationError("give only one of --pin-stdin, --pin-fd and --pin-env") }
        if let fd = pinFd, fd < 0 { throw ValidationError("--pin-fd takes a file descriptor number (0 or more)") }
        if let name = pinEnv, !EnvironmentPIN.isVariableName(name) {
            // Never repeat the value: it may be the PIN itself, given by mistake.
            throw ValidationError("--pin-env takes the NAME of an environment variable that holds the PIN (letters, digits and _), not the PIN itself")
        }
    }

    /// A reader of PINs from the chosen source; successive calls read successive lines.
    func makeReader() -> PINReader {
        if pinStdin { return PINReader(source: .descriptor(0, name: "standard input")) }
        if let fd = pinFd { return PINReader(source: .descriptor(fd, name: "file descriptor \(fd)")) }
        if let name = pinEnv { return PINReader(source: .environment(name)) }
        return PINReader(source: .terminal)
    }
}

/// Whether `text` has the shape of one of the card's PINs (4, 12 or 14 digits; 6–16 letters and digits
/// with at least one digit), so that a message about a mistyped argument does not repeat it.
func hasPINShape(_ text: String) -> Bool {
    let scalars = text.unicodeScalars
    guard scalars.allSatisfy({ ("0"..."9").contains($0) || ("A"..."Z").contains($0) || ("a"..."z").contains($0) }) else { return false }
    let digits = scalars.filter { ("0"..."9").contains($0) }.count
    if digits == scalars.count { return [4, 12, 14].contains(digits) || (6...16).contains(digits) }
    return digits > 0 && (6...16).contains(scalars.count)
}

/// Why a PIN could not be read. Never carries the PIN, nor the name given to `--pin-env` (which may be the PIN
/// itself, given by mistake).
enum PINInputError: Error, CustomStringConvertible {
    case noTerminal
    case environmentUnset
    case environmentUsedTwice
    case endOfInput(String)
    case readFailed(String, Int32)
    case tooLong(String)
    case mismatch

    var description: String {
        switch self {
        case .noTerminal:
            "a PIN is needed but there is no terminal to ask on: pass it with --pin-stdin, --pin-fd N or --pin-env NAME"
        case .environmentUnset: "the environment variable named by --pin-env is not set"
        case .environmentUsedTwice: "this command needs more than one PIN; --pin-env holds only one: use --pin-stdin or --pin-fd"
        case .endOfInput(let source): "\(source) ended before a PIN was read"
        case .readFailed(let source, let code): "cannot read a PIN from \(source): \(systemReason(code))"
        case .tooLong(let source): "the line read from \(source) is longer than \(PINReader.maximumLineLength) bytes: that is no PIN, and the rest was not read"
        case .mismatch: "the two new PINs differ; nothing was changed"
        }
    }
}

/// The PIN from `--pin-env`, taken out of the environment as the process starts, before anything copies
/// the environment: the value is copied into a ``PINCode``, overwritten with zeros where it lay (so
/// /proc/PID/environ no longer shows it either) and the variable is removed. What remains is outside this
/// process: the environment of the shell or program that started it.
enum EnvironmentPIN {
    nonisolated(unsafe) private static var taken: (name: String, pin: PINCode?)?

    /// Takes the variable named after `--pin-env` (or `--pin-env=`) in `arguments`, if any.
    static func take(from arguments: [String]) {
        var name: String?
        var index = arguments.startIndex
        while index < arguments.endIndex, arguments[index] != "--" {
            let argument = arguments[index]
            if argument == "--pin-env", index + 1 < arguments.endIndex {
                name = arguments[index + 1]
                index += 1
            } else if argument.hasPrefix("--pin-env=") {
                name = String(argument.dropFirst("--pin-env=".count))
            }
            index += 1
        }
        guard let name, isVariableName(name) else { return }
        var pin: PINCode?
        if let value = getenv(name) {
            let length = strlen(value)
            var bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self), count: length))
            pin = PINCode(consuming: &bytes)
            memset(value, 0, length)
        }
        unsetenv(name)
        taken = (name, pin)
    }

    /// The PIN taken from variable `name`, once; nil when it was not set or was used already.
    static func consume(_ name: String) -> PINCode? {
        guard let entry = taken, entry.name == name else { return nil }
        taken = (name, nil)
        return entry.pin
    }

    /// Whether `name` can name an environment variable (letters, digits and _, not starting with a digit).
    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || $0 == "_" }
    }
}

/// Reads PINs into ``PINCode`` values, wiping every buffer it used.
final class PINReader {
    enum Source {
        case terminal
        case descriptor(Int32, name: String)
        case environment(String)
    }

    /// The longest line read as a PIN: the longest PIN is 16 characters; a few hundred bytes leave room for
    /// stray spaces without reading a whole file given by mistake.
    static let maximumLineLength = 256

    private let source: Source
    private var environmentUsed = false

    init(source: Source) { self.source = source }

    /// Whether PINs are typed by a person (so a new PIN is asked twice).
    var isInteractive: Bool { if case .terminal = source { true } else { false } }

    /// Reads one PIN; `prompt` is shown only when asking on the terminal, after `warning` when one is given.
    func read(prompt: String, warning: String? = nil) throws -> PINCode {
        switch source {
        case .environment(let name):
            guard !environmentUsed else { throw PINInputError.environmentUsedTwice }
            environmentUsed = true
            guard let pin = EnvironmentPIN.consume(name) else { throw PINInputError.environmentUnset }
            return pin
        case .descriptor(let fd, let name):
            var bytes = try Self.readLine(from: fd, sourceName: name)
            return PINCode(consuming: &bytes)
        case .terminal:
            let tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
            guard tty >= 0 else { throw PINInputError.noTerminal }
            defer { close(tty) }
            let echoOff = SilentTerminal(tty, prompt: prompt, warning: warning)
            defer { echoOff.restore() }
            var bytes = try Self.readLine(from: tty, sourceName: "the terminal")
            return PINCode(consuming: &bytes)
        }
    }

    /// The PINs of this reader as a card operation's entry: a PIN from the environment is in hand; a prompt or
    /// a file descriptor may keep the operation waiting, so the card is left free meanwhile. The prompt is the
    /// PIN's name, unless `prompt` is given; with `force`, at the last try (as the counter just read says) a
    /// warning that a wrong PIN now blocks it comes first (see ``lastTryWarning(_:status:force:)``).
    func entry(force: Bool, prompt: String? = nil) -> PINEntry {
        PINEntry(mayWait: mayWait) { kind, status in
            try self.read(prompt: prompt ?? "\(kind.displayName): ", warning: self.lastTryWarning(kind, status: status, force: force))
        }
    }

    /// Whether reading a PIN may wait for a person or another program (everything but `--pin-env`).
    var mayWait: Bool { if case .environment = source { false } else { true } }

    /// With `force` at the last try, the warning that a wrong PIN now blocks the PIN: for the terminal, before the
    /// prompt, and already on standard error when the PIN comes from elsewhere. `nil` otherwise.
    func lastTryWarning(_ kind: PINKind, status: PINStatus, force: Bool) -> String? {
        guard force, status == .remaining(1) else { return nil }
        let warning = "⚠ this is the LAST try of the \(kind.displayName): a wrong PIN now blocks it (\(kind.resetAdvice))"
        if !isInteractive { Output.message("mynacard: \(warning)") }
        return warning
    }

    /// Reads bytes up to a newline (not included; a CR before it is dropped), one byte at a time so that
    /// nothing past the line is consumed, and never more than ``maximumLineLength`` bytes.
    private static func readLine(from fd: Int32, sourceName: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(maximumLineLength)
        var byte: UInt8 = 0
        defer { byte = 0 }
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
            guard bytes.count < maximumLineLength else {
                wipe(&bytes)
                throw PINInputError.tooLong(sourceName)
            }
            bytes.append(byte)
        }
        if bytes.last == 0x0D { bytes.removeLast() }
        return bytes
    }
}

/// The terminal with echo off while a PIN is typed, and back as it was afterwards — also when the process
/// is interrupted (SIGINT, SIGTERM, SIGHUP, SIGQUIT: echo is restored, then the signal takes its usual
/// course) or suspended (SIGTSTP, SIGTTIN, SIGTTOU: echo is restored while stopped, and after SIGCONT
/// turned off again and the prompt shown anew).
private final class SilentTerminal {
    private var previousActions: [(Int32, sigaction)] = []
    private let active: Bool

    /// Turns echo off, then shows `warning` (if any) and the prompt. Only what was typed before anything was
    /// shown is discarded (it may have been echoed): typing that starts as soon as the warning appears is kept,
    /// and is not echoed.
    init(_ tty: Int32, prompt: String, warning: String? = nil) {
        let state = promptState
        state.pointee.terminal = tty
        let promptBytes = Array(prompt.utf8.prefix(promptCapacity))
        promptBytes.withUnsafeBufferPointer { bytes in
            if let base = bytes.baseAddress { state.pointee.prompt.update(from: base, count: bytes.count) }
        }
        state.pointee.promptLength = promptBytes.count
        active = tcgetattr(tty, &state.pointee.saved) == 0
        if active {
            state.pointee.silent = state.pointee.saved
            state.pointee.silent.c_lflag &= ~tcflag_t(ECHO)
            for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU] {
                var previous = sigaction()
                // A signal the caller chose to ignore (e.g. SIGINT for a background job) stays ignored.
                guard sigaction(signal, nil, &previous) == 0, unsafeBitCast(previous.__sigaction_handler.sa_handler, to: Int.self) != 1 else { continue }
                sigaction(signal, &state.pointee.action, nil)
                previousActions.append((signal, previous))
            }
            tcsetattr(tty, TCSAFLUSH, &state.pointee.silent)
        }
        if let warning { _ = writeAll(Array((warning + "\n").utf8), to: tty) }
        _ = Glibc.write(tty, state.pointee.prompt, state.pointee.promptLength)
    }

    /// Puts echo and the signal handlers back as they were.
    func restore() {
        let state = promptState
        if active { tcsetattr(state.pointee.terminal, TCSAFLUSH, &state.pointee.saved) }
        for (signal, var previous) in previousActions { sigaction(signal, &previous, nil) }
        _ = Glibc.write(state.pointee.terminal, &state.pointee.newline, 1)
    }
}

/// Room for the prompt's bytes, kept where the signal handler can reach them without allocating.
private let promptCapacity = 512

/// What the signal handler needs while a prompt has echo off, prepared before any handler is installed.
private struct PromptState {
    var terminal: Int32 = -1
    var saved = termios()
    var silent = termios()
    var prompt: UnsafeMutablePointer<UInt8>
    var promptLength = 0
    var newline: UInt8 = 0x0A
    var action = sigaction()
}

private nonisolated(unsafe) let promptState: UnsafeMutablePointer<PromptState> = {
    let state = UnsafeMutablePointer<PromptState>.allocate(capacity: 1)
    let prompt = UnsafeMutablePointer<UInt8>.allocate(capacity: promptCapacity)
    prompt.initialize(repeating: 0, count: promptCapacity)
    state.initialize(to: PromptState(prompt: prompt))
    state.pointee.action.__sigaction_handler.sa_handler = restoreTerminalOnSignal
    sigemptyset(&state.pointee.action.sa_mask)
    // No SA_RESTART: the read returns EINTR and loops. SA_NODEFER: the signal raised again inside the
    // handler takes effect at once.
    state.pointee.action.sa_flags = Int32(SA_NODEFER)
    return state
}()

/// Restores echo, lets the signal do what it does by default, and — when that was a stop and the process
/// goes on — turns echo off again and shows the prompt once more. Only async-signal-safe calls.
private func restoreTerminalOnSignal(_ signal: Int32) {
    let state = promptState
    tcsetattr(state.pointee.terminal, TCSANOW, &state.pointee.saved)
    _ = Glibc.write(state.pointee.terminal, &state.pointee.newline, 1)
    Glibc.signal(signal, SIG_DFL)
    raise(signal)
    // Still here: the stop is over (SIGCONT), or the signal was discarded (an orphaned process group).
    sigaction(signal, &state.pointee.action, nil)
    tcsetattr(state.pointee.terminal, TCSAFLUSH, &state.pointee.silent)
    _ = Glibc.write(state.pointee.terminal, state.pointee.prompt, state.pointee.promptLength)
}
