import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program a test runs in the background (`mynacard watch`, `mynacard counter`, a second emulator), whose
/// output lines the test waits for. It is ended by its PID when the test is done with it.
final class BackgroundProcess: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var outputLines: [String] = []
    private var errorText = ""
    private let group = DispatchGroup()
    private let input: Pipe?

    /// Starts `executable` with `arguments` (and extra `environment` variables); with `acceptsInput`, lines can be
    /// sent to its standard input with ``send(_:)``.
    init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], acceptsInput: Bool = false) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        input = acceptsInput ? Pipe() : nil
        process.standardInput = input ?? FileHandle.nullDevice
        try process.run()
        collect(stdout.fileHandleForReading) { self.outputLines += $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        collect(stderr.fileHandleForReading) { self.errorText += $0 }
    }

    deinit { stop() }

    /// Reads `handle` until it closes, handing complete text to `append` under the lock.
    private func collect(_ handle: FileHandle, _ append: @escaping @Sendable (String) -> Void) {
        group.enter()
        DispatchQueue.global().async {
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending += chunk
                // Hand over whole lines only (a line may arrive in pieces).
                guard let lastNewline = pending.lastIndex(of: 0x0A) else { continue }
                let complete = pending[...lastNewline].dropLast()
                pending = Data(pending[(lastNewline + 1)...])
                self.lock.withLock { append(String(decoding: complete, as: UTF8.self)) }
            }
            if !pending.isEmpty { self.lock.withLock { append(String(decoding: pending, as: UTF8.self)) } }
            self.group.leave()
        }
    }

    /// Writes `line` and a newline to the process's standard input.
    func send(_ line: String) {
        input?.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Every line written to standard output so far.
    var lines: [String] { lock.withLock { outputLines } }

    /// Everything written to standard error so far.
    var stderr: String { lock.withLock { errorText } }

    /// The process ID.
    var pid: Int32 { process.processIdentifier }

    /// Whether the process still runs.
    var isRunning: Bool { process.isRunning }

    /// Waits up to `timeout` seconds for an output line, after the first `skipping` ones, that satisfies `matches`.
    func waitForLine(after skipping: Int = 0, timeout: Double = 15, where matches: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = lines.dropFirst(skipping).first(where: matches) { return line }
            usleep(20_000)
        }
        return nil
    }

    /// Sends `signal` (e.g. SIGINT) and waits up to `timeout` seconds for the process to end.
    /// - Returns: its exit status, or `nil` when it did not end.
    func signal(_ signal: Int32, waitingUpTo timeout: Double = 10) -> Int32? {
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard !process.isRunning else { return nil }
        group.wait()
        return process.terminationStatus
    }

    /// Ends the process (SIGTERM, then SIGKILL) if it still runs.
    func stop() {
        guard process.processIdentifier != 0, process.isRunning else { return }
        if signal(SIGTERM, waitingUpTo: 5) == nil {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
