import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One emulated card in the virtual reader, for an end-to-end test: runs `mynacard-emulator` with a
/// copy of a profile from `fixtures/profiles/` (so PIN counters persist only for this test), waits until
/// pcscd sees the card, runs the real `mynacard` binary against it, and pulls the card out on ``stop()``.
///
/// Only one card can sit in the virtual reader at a time, so fixtures take a machine-wide lock:
/// end-to-end tests run one after another whatever the test runner's parallelism.
final class EmulatedCardFixture {
    /// The profile copy the emulator runs from.
    let profileDirectory: URL
    /// `profile.json`'s `holder` entry: the test person's data and PINs.
    let holder: [String: Any]
    /// The reader the card sits in, as PC/SC names it.
    let readerName = "Virtual PCD 00 00"
    private let emulator: Process
    private let emulatorOutput: Pipe
    private let lockFD: Int32
    private let workDirectory: URL
    private var stopped = false

    /// The package root (holding Package.swift).
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("cannot find the package root above \(#filePath)")
    }()

    /// The folder with the built `mynacard` and `mynacard-emulator` (next to the test bundle).
    static let binDirectory: URL = {
        if let override = ProcessInfo.processInfo.environment["MYNACARD_BIN_DIR"] { return URL(fileURLWithPath: override) }
        var url = Bundle.main.bundleURL
        for _ in 0..<4 {
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("mynacard").path) { return url }
            url.deleteLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug")
    }()

    /// Inserts a card made from `fixtures/profiles/<profile>` (or `fixtures/hostile/<name>` for a profile
    /// given as `hostile/<name>`); with `pullAfter`, the emulator pulls the
    /// card out after answering that many APDUs. With `insertNow: false` the reader stays empty until ``insert()``.
    /// `edit` may change the copied `profile.json` first (e.g. to remove an applet).
    init(profile: String = "healthy", pullAfter: Int? = nil, insertNow: Bool = true,
         edit: ((inout [String: Any]) -> Void)? = nil) throws {
        lockFD = open("/tmp/mynacard-e2e.lock", O_CREAT | O_RDWR, 0o644)
        guard lockFD >= 0, flock(lockFD, LOCK_EX) == 0 else { throw FixtureError("cannot take the end-to-end test lock") }
        workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("mynacard-e2e-\(UUID().uuidString)")
        profileDirectory = workDirectory.appendingPathComponent(URL(fileURLWithPath: profile).lastPathComponent)
        do {
            try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
            let source = profile.hasPrefix("hostile/") ? "fixtures/\(profile)" : "fixtures/profiles/\(profile)"
            try FileManager.default.copyItem(at: Self.packageRoot.appendingPathComponent(source), to: profileDirectory)
            let manifestURL = profileDirectory.appendingPathComponent("profile.json")
            var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as? [String: Any] ?? [:]
            if let edit {
                edit(&manifest)
                try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
            }
            holder = manifest["holder"] as? [String: Any] ?? [:]
            try Self.requirePCSCService()
            emulator = Process()
            emulator.executableURL = Self.binDirectory.appendingPathComponent("mynacard-emulator")
            var arguments = ["--profile", profileDirectory.path, "--state", workDirectory.appendingPathComponent("state.json").path, "--connect-timeout", "10"]
            if let pullAfter { arguments += ["--pull-after", String(pullAfter)] }
            emulator.arguments = arguments
            emulatorOutput = Pipe()
            emulator.standardOutput = emulatorOutput
            emulator.standardError = emulatorOutput
            if insertNow { try insert() }
        } catch {
            flock(lockFD, LOCK_UN)
            close(lockFD)
            throw error
        }
    }

    deinit { stop() }

    /// Starts the emulator (inserts the card) and waits until pcscd sees it.
    func insert() throws {
        try emulator.run()
        try waitForCard(present: true, seconds: 15)
    }

    /// Pulls the card out and waits until pcscd sees the reader empty.
    func stop() {
        guard !stopped else { return }
        stopped = true
        pull()
        try? FileManager.default.removeItem(at: workDirectory)
        flock(lockFD, LOCK_UN)
        close(lockFD)
    }

    /// Pulls the card out (ends the emulator) and waits until pcscd sees the reader empty. The reader stays this
    /// test's until ``stop()``, so that nothing the test still runs (a watcher, a server) meets another test's card.
    func pull() {
        guard emulator.processIdentifier != 0 else { return }
        if emulator.isRunning {
            emulator.terminate()
            let deadline = Date().addingTimeInterval(5)
            while emulator.isRunning && Date() < deadline { usleep(20_000) }
            if emulator.isRunning { kill(emulator.processIdentifier, SIGKILL) }
            emulator.waitUntilExit()
        }
        try? waitForCard(present: false, seconds: 10)
    }

    /// Whether the emulator process is still running (it exits after pulling the card).
    var emulatorIsRunning: Bool { emulator.isRunning }

    /// Runs `mynacard` with `arguments` (the reader is chosen with --reader unless `selectReader` is false),
    /// feeding `input` on standard input, and waits for it to end (killing it after `timeout` seconds).
    func run(_ arguments: [String], input: String? = nil, environment: [String: String] = [:],
             selectReader: Bool = true, timeout: Double = 60) throws -> CommandResult {
        try Self.runMynacard(arguments + (selectReader ? ["--reader", readerName] : []), input: input,
                             environment: environment, timeout: timeout)
    }

    /// Runs `mynacard` without any card fixture.
    static func runMynacard(_ arguments: [String], input: String? = nil, environment: [String: String] = [:],
                            timeout: Double = 60) throws -> CommandResult {
        try runProcess(binDirectory.appendingPathComponent("mynacard"), arguments, input: input, environment: environment, timeout: timeout)
    }

    /// Runs any program and collects its output.
    static func runProcess(_ executable: URL, _ arguments: [String], input: String? = nil, inputData: Data? = nil,
                           environment: [String: String] = [:], timeout: Double = 60) throws -> CommandResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        if let bytes = inputData ?? input.map({ Data($0.utf8) }) { stdin.fileHandleForWriting.write(bytes) }
        try? stdin.fileHandleForWriting.close()
        // Drain both pipes while waiting, so a chatty process cannot fill a pipe and stall.
        nonisolated(unsafe) var outData = Data(), errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outData = stdout.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = stderr.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        let timedOut = process.isRunning
        if timedOut { process.terminate(); kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        group.wait()
        return CommandResult(exitCode: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self), timedOut: timedOut)
    }

    /// Waits until pcscd reports the reader with (or without) a card.
    private func waitForCard(present: Bool, seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if present && !emulator.isRunning {
                let output = String(decoding: emulatorOutput.fileHandleForReading.availableData, as: UTF8.self)
                throw FixtureError("the emulator exited before the card was seen: \(output)")
            }
            let result = try Self.runMynacard(["readers", "--json"], timeout: 10)
            if let object = result.json, let readers = object["readers"] as? [[String: Any]],
               let reader = readers.first(where: { $0["name"] as? String == readerName }),
               reader["cardPresent"] as? Bool == present {
                return
            }
            usleep(100_000)
        }
        throw FixtureError("pcscd did not see the card \(present ? "inserted" : "removed") within \(seconds) s")
    }

    /// Fails with a clear message when pcscd (with vsmartcard-vpcd) is not running.
    static func requirePCSCService() throws {
        let result = try runMynacard(["readers", "--json"], timeout: 15)
        guard result.exitCode == 0 else {
            throw FixtureError("end-to-end tests need pcscd with vsmartcard-vpcd running; run them with scripts/test (mynacard said: \(result.stderr))")
        }
        let readers = (result.json?["readers"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        guard readers.contains("Virtual PCD 00 00") else {
            throw FixtureError("pcscd runs but has no virtual reader \"Virtual PCD 00 00\" (readers: \(readers)); install vsmartcard-vpcd and restart pcscd")
        }
    }

    /// A string from the holder entry, e.g. `holder["myNumber"]`, or a nested one like `pin("auth")`.
    func holderString(_ key: String) -> String { holder[key] as? String ?? "" }

    /// A PIN from the holder entry's `pins` object ("auth", "sign", "text", "pinA", "pinB", …).
    func pin(_ key: String) -> String { (holder["pins"] as? [String: Any])?[key] as? String ?? "" }
}

/// What a command printed and how it ended.
struct CommandResult {
    var exitCode: Int32
    var stdout: Data
    var stderr: String
    var timedOut: Bool

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard output parsed as a JSON object, if it is one.
    var json: [String: Any]? { try? JSONSerialization.jsonObject(with: stdout) as? [String: Any] }
    /// Everything the command wrote, for searching.
    var allOutput: String { stdoutText + stderr }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
