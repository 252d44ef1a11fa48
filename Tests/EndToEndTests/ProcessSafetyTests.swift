import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The process around the card: PIN memory, input caps, standard output errors, a vanishing pcscd.
@Suite("Process safety", .serialized)
struct ProcessSafetyTests {
    static let binary = EmulatedCardFixture.binDirectory.appendingPathComponent("mynacard").path

    @Test("a PIN line longer than a few hundred bytes is refused without reading the rest, and nothing is sent")
    func longPINLineRefused() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        // Less than a pipe holds, so that the test's write finishes whatever mynacard reads.
        let result = try card.run(["jpki", "login", "--challenge", "00FF", "--pin-stdin"], input: String(repeating: "1", count: 60_000) + "\n")
        #expect(result.exitCode == 5)
        #expect((result.json?["error"] as? [String: Any])?["kind"] as? String == "pin-input")
        #expect(result.stderr.contains("longer than 256 bytes"), "\(result.stderr)")
        #expect(try card.triesLeft()["auth"] == 3)
    }

    @Test("a --pin-env PIN leaves the environment at once, and the process can neither dump core nor be read by its user")
    func environmentPINWipedAndNoCoreDumps() throws {
        // As an unprivileged user (nobody), so that /proc shows whether the process is dumpable: the files of an
        // undumpable process belong to root. `--challenge -` keeps it waiting on standard input meanwhile.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", Self.binary,
                             "jpki", "login", "--challenge", "-", "--pin-env", "MYNACARD_TEST_PIN"]
        process.environment = ["MYNACARD_TEST_PIN": "7391", "MYNACARD_TEST_MARK": "present"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        let proc = "/proc/\(process.processIdentifier)"
        var limits = ""
        for _ in 0..<100 {
            limits = (try? String(contentsOfFile: proc + "/limits", encoding: .utf8)) ?? ""
            if limits.range(of: #"Max core file size\s+0\s+0"#, options: .regularExpression) != nil { break }
            usleep(50_000)
        }
        #expect(limits.range(of: #"Max core file size\s+0\s+0"#, options: .regularExpression) != nil, "\(limits)")
        let environ = String(decoding: try Data(contentsOf: URL(fileURLWithPath: proc + "/environ")), as: UTF8.self)
        #expect(environ.contains("MYNACARD_TEST_MARK=present"), "the environment was not readable at all")
        #expect(!environ.contains("7391"), "the PIN is still in /proc/PID/environ")
        var info = stat()
        #expect(stat(proc + "/environ", &info) == 0)
        #expect(info.st_uid == 0, "the process is dumpable (its /proc files belong to uid \(info.st_uid))")
    }

    @Test("a PIN typed as a stray argument or as the --pin-env name is never repeated, and usage errors are JSON with --json")
    func strayPINNotEchoed() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let document = try writeFile("doc", named: "doc.txt", in: dir)
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        for arguments in [
            ["pin", "status", "7391", "--json"], ["jpki", "login", "--challenge", "00FF", "--pin-env", "7391", "--json"],
            ["jpki", "login", "--challenge", "00FF", "--pin-env=ABC123", "--json"], ["jpki", "sign", "--key", "sign", document, "ABC123", "--json"],
            ["pin", "change", "7391"], ["jpki", "cert", "ABC123"],
        ] {
            let result = try card.run(arguments, timeout: 20)
            #expect(result.exitCode != 0, "\(arguments): \(result.allOutput)")
            #expect(!result.allOutput.contains("7391") && !result.allOutput.contains("ABC123"), "\(arguments) repeated the PIN: \(result.allOutput)")
            if arguments.last == "--json" {
                #expect(result.json?["ok"] as? Bool == false, "\(arguments): \(result.stdoutText)")
            }
        }
        let usage = try EmulatedCardFixture.runMynacard(["pin", "status", "--bogus", "--json"])
        #expect(usage.exitCode == 64)
        #expect((usage.json?["error"] as? [String: Any])?["kind"] as? String == "usage", "\(usage.stdoutText)")
        #expect(usage.stderr.contains("Usage:"))
    }

    @Test("a full disk on standard output is exit 5 with a message; a closed pipe (SIGPIPE ignored) ends quietly, never a crash")
    func standardOutputErrors() throws {
        try EmulatedCardFixture.requirePCSCService()
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = dir.appendingPathComponent("full").path
        #expect(mknod(full, S_IFCHR | 0o666, deviceNumber(1, 7)) == 0)
        let descriptor = open(full, O_WRONLY)
        #expect(descriptor >= 0)
        let onFull = try run(Self.binary, ["readers"], standardOutput: descriptor)
        #expect(onFull.status == 5, "\(onFull)")
        #expect(onFull.stderr.contains("cannot write to standard output: No space left on device"), "\(onFull.stderr)")
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        close(ends[0])
        let onClosedPipe = try run("/bin/sh", ["-c", "trap '' PIPE; exec \"$0\" readers", Self.binary], standardOutput: ends[1])
        #expect(onClosedPipe.signal == SIGPIPE, "\(onClosedPipe)")
        #expect(onClosedPipe.stderr.isEmpty, "\(onClosedPipe.stderr)")
    }

    /// Runs a program with `standardOutput` as its standard output (the descriptor is closed here), collecting its standard error.
    private func run(_ path: String, _ arguments: [String], standardOutput: Int32) throws -> (status: Int32?, signal: Int32?, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let errors = Pipe()
        process.standardOutput = FileHandle(fileDescriptor: standardOutput, closeOnDealloc: true)
        process.standardError = errors
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let signaled = process.terminationReason == .uncaughtSignal
        return (signaled ? nil : process.terminationStatus, signaled ? process.terminationStatus : nil, stderr)
    }

    @Test("a signature, certificate, CA, bundle or root key file is read only up to a cap: a huge one is refused (exit 5)")
    func inputFilesCapped() throws {
        try EmulatedCardFixture.requirePCSCService()
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let huge = dir.appendingPathComponent("huge.pem").path
        #expect(FileManager.default.createFile(atPath: huge, contents: nil))
        #expect(truncate(huge, 2 << 20) == 0)
        let document = try writeFile("doc", named: "doc.txt", in: dir)
        let cert = EmulatedCardFixture.packageRoot.appendingPathComponent("fixtures/profiles/healthy/jpki/auth-cert.der").path
        let ca = EmulatedCardFixture.packageRoot.appendingPathComponent("fixtures/ca/auth-ca.pem").path
        for arguments in [
            ["jpki", "verify", "--signature", huge, "--cert", cert, document],
            ["jpki", "verify", "--cms", "--signature", huge, document],
            ["jpki", "login-verify", huge, "--ca", ca],
            ["jpki", "login-verify", document, "--ca", huge],
            ["text", "--root", huge],
        ] {
            let result = try EmulatedCardFixture.runMynacard(arguments, timeout: 20)
            #expect(result.exitCode == 5, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("is larger than 1024 KiB"), "\(arguments): \(result.stderr)")
        }
        let signature = dir.appendingPathComponent("ok.sig").path
        try Data((0..<256).map { UInt8($0) }).write(to: URL(fileURLWithPath: signature))
        let hugeCertificate = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--signature", signature, "--cert", huge, document])
        #expect(hugeCertificate.exitCode == 5)
        #expect(hugeCertificate.stderr.contains("too large for a certificate"), "\(hugeCertificate.stderr)")
    }

    @Test("pcscd killed in the middle of a command is reported as the PC/SC service going away (exit 3), not as a removed card",
          .enabled(if: ProcessInfo.processInfo.environment["MYNACARD_ISOLATED"] == "1", "needs namespaces of its own (scripts/test runs it so)"))
    func pcscdKilledMidOperation() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A PC/SC stack of this test's own, in nested namespaces like scripts/isolated makes: the suite's pcscd
        // and its readers are not disturbed. The emulator is frozen once the PIN guard has run, the PIN is sent
        // (its VERIFY waits in pcscd), and pcscd is killed.
        let script = """
            set -u
            ip link set lo up
            mount -t tmpfs -o mode=0755 tmpfs /run/pcscd
            pcscd --foreground >"$DIR/pcscd.log" 2>&1 &
            pcscd=$!
            for _ in $(seq 1 100); do "$BIN/mynacard" readers 2>>"$DIR/readers.log" | grep -q "Virtual PCD 00 00" && break; sleep 0.1; done
            "$BIN/mynacard-emulator" --profile "$PROFILE" --trace >"$DIR/emulator.log" 2>&1 &
            emulator=$!
            for _ in $(seq 1 100); do "$BIN/mynacard" readers 2>>"$DIR/readers.log" | grep -q "card present" && break; sleep 0.1; done
            mkfifo "$DIR/pin"
            exec 4<>"$DIR/pin"
            "$BIN/mynacard" jpki login --challenge 00FF --pin-fd 4 --reader "Virtual PCD 00 00" --json >"$DIR/out.json" 2>"$DIR/err.txt" &
            command=$!
            for _ in $(seq 1 100); do grep -q "00200080" "$DIR/emulator.log" && break; sleep 0.1; done
            kill -STOP "$emulator"
            echo 1234 >&4
            sleep 0.5
            kill -KILL "$pcscd"
            wait "$command"
            echo $? >"$DIR/exit"
            """
        let result = try EmulatedCardFixture.runProcess(
            URL(fileURLWithPath: "/usr/bin/unshare"), ["--mount", "--net", "--pid", "--fork", "--mount-proc", "--propagation", "private", "/bin/bash", "-c", script],
            environment: ["DIR": dir.path, "BIN": EmulatedCardFixture.binDirectory.path,
                          "PROFILE": EmulatedCardFixture.packageRoot.appendingPathComponent("fixtures/profiles/healthy").path],
            timeout: 90)
        #expect(result.exitCode == 0, "\(result.allOutput)")
        let exit = try String(contentsOf: dir.appendingPathComponent("exit"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let stderr = (try? String(contentsOf: dir.appendingPathComponent("err.txt"), encoding: .utf8)) ?? ""
        let emulator = (try? String(contentsOf: dir.appendingPathComponent("emulator.log"), encoding: .utf8)) ?? ""
        #expect(exit == "3", "exit \(exit): \(stderr)\nemulator: \(emulator)")
        #expect(stderr.contains("went away during the operation"), "\(stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("out.json"))) as? [String: Any]
        #expect((json?["error"] as? [String: Any])?["kind"] as? String == "pcsc-unavailable")
    }

    @Test("mynacard --version prints the version written once in the source")
    func version() throws {
        let source = try String(contentsOf: EmulatedCardFixture.packageRoot.appendingPathComponent("Sources/mynacard/Version.swift"), encoding: .utf8)
        let declared = try #require(source.firstMatch(of: /mynacardVersion = "([^"]+)"/)?.1)
        let result = try EmulatedCardFixture.runMynacard(["--version"])
        #expect(result.exitCode == 0)
        #expect(result.stdoutText == declared + "\n")
    }
}
