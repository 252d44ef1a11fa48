import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Writing output never destroys anything: devices, FIFOs, links and inputs survive, modes are kept or private.
@Suite("Writing output files", .serialized)
struct OutputFileTests {
    @Test("a character device given as -o is written into, not replaced by a file; a device that is full gives exit 5")
    func characterDeviceWrittenInPlace() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Our own device nodes, in the test's folder: 1,3 discards what is written (like /dev/null), 1,7 is always full.
        let sink = dir.appendingPathComponent("sink").path, full = dir.appendingPathComponent("full").path
        #expect(mknod(sink, S_IFCHR | 0o666, deviceNumber(1, 3)) == 0, "mknod: \(String(cString: strerror(errno)))")
        #expect(mknod(full, S_IFCHR | 0o666, deviceNumber(1, 7)) == 0)
        let written = try card.run(["jpki", "cert", "auth", "--format", "der", "-o", sink])
        #expect(written.exitCode == 0, "\(written.stderr)")
        let after = try #require(fileStatus(sink))
        #expect(after.st_mode & S_IFMT == S_IFCHR, "the device node was replaced")
        #expect(after.st_rdev == deviceNumber(1, 3))
        let noSpace = try card.run(["jpki", "cert", "auth", "-o", full, "--json"])
        #expect(noSpace.exitCode == 5)
        #expect(noSpace.stderr.contains("No space left on device"), "\(noSpace.stderr)")
        #expect(fileStatus(full).map { $0.st_mode & S_IFMT == S_IFCHR } == true)
    }

    @Test("a FIFO given as -o gets the output through it and stays a FIFO")
    func fifoWrittenInPlace() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // The reading end is open (without blocking) before mynacard writes; what it writes waits in the pipe.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        let written = try card.run(["jpki", "cert", "auth", "--format", "pem", "-o", fifo])
        #expect(written.exitCode == 0, "\(written.stderr)")
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = read(reader, &buffer, buffer.count)
        #expect(String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self).hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(fileStatus(fifo).map { $0.st_mode & S_IFMT == S_IFIFO } == true, "the FIFO was replaced")
    }

    @Test("a symbolic link is followed as the shell follows it: the link stays, its target is written (or made, 0600)")
    func symbolicLinkFollowed() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = try writeFile("old", named: "target.pem", in: dir), link = dir.appendingPathComponent("link.pem").path
        #expect(symlink("target.pem", link) == 0)
        let written = try card.run(["jpki", "cert", "auth-ca", "-o", link])
        #expect(written.exitCode == 0, "\(written.stderr)")
        #expect(fileStatus(link).map { $0.st_mode & S_IFMT == S_IFLNK } == true, "the link was replaced")
        #expect(try String(contentsOfFile: target, encoding: .utf8).hasPrefix("-----BEGIN CERTIFICATE-----"))
        let dangling = dir.appendingPathComponent("dangling.pem").path
        #expect(symlink("made-by-link.pem", dangling) == 0)
        let made = try card.run(["jpki", "cert", "auth", "-o", dangling])
        #expect(made.exitCode == 0, "\(made.stderr)")
        #expect(fileStatus(dir.appendingPathComponent("made-by-link.pem").path).map { $0.st_mode & 0o7777 } == 0o600)
    }

    @Test("a symbolic link in a sticky folder that everyone may write to (like /tmp) is refused, and its target left alone")
    func symbolicLinkInStickyFolderRefused() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shared = dir.appendingPathComponent("shared").path
        #expect(mkdir(shared, 0o755) == 0 && chmod(shared, 0o1777) == 0)
        let victim = try writeFile("precious", named: "victim.txt", in: dir)
        let planted = shared + "/out.pem"
        #expect(symlink(victim, planted) == 0)
        for arguments in [["jpki", "cert", "auth", "-o", planted], ["face", "--pin-b", "-o", planted, "--pin-stdin"]] {
            let refused = try card.run(arguments + ["--json"], input: card.pin("pinB") + "\n")
            #expect(refused.exitCode == 5, "\(arguments): \(refused.stderr)")
            #expect(refused.stderr.contains("symbolic link in a folder that every user may write to"), "\(refused.stderr)")
        }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious")
    }

    @Test("a file with several hard links is written in place: every name sees the new content")
    func hardLinkWrittenInPlace() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try writeFile("old", named: "first.pem", in: dir), second = dir.appendingPathComponent("second.pem").path
        #expect(link(first, second) == 0)
        let inode = fileStatus(first)?.st_ino
        let written = try card.run(["jpki", "cert", "auth-ca", "-o", first])
        #expect(written.exitCode == 0, "\(written.stderr)")
        #expect(fileStatus(first)?.st_ino == inode)
        #expect(try String(contentsOfFile: second, encoding: .utf8).hasPrefix("-----BEGIN CERTIFICATE-----"))
    }

    @Test("new files of personal data are 0600, a CA certificate follows the umask, an existing file keeps its mode and owner")
    func modes() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mask = umask(0o022)
        umask(mask)
        let auth = dir.appendingPathComponent("auth.pem").path, ca = dir.appendingPathComponent("auth-ca.pem").path
        let document = try writeFile("doc", named: "doc.txt", in: dir), signature = dir.appendingPathComponent("doc.sig").path
        #expect(try card.run(["jpki", "cert", "auth", "-o", auth]).exitCode == 0)
        #expect(try card.run(["jpki", "cert", "auth-ca", "-o", ca]).exitCode == 0)
        #expect(try card.run(["jpki", "sign", "--key", "auth", document, "-o", signature, "--pin-stdin"], input: card.pin("auth") + "\n").exitCode == 0)
        #expect(fileStatus(auth).map { $0.st_mode & 0o7777 } == 0o600)
        #expect(fileStatus(signature).map { $0.st_mode & 0o7777 } == 0o600)
        #expect(fileStatus(ca).map { $0.st_mode & 0o7777 } == 0o666 & ~mask)
        // An existing file someone else owns, readable by a group: the same afterwards, with the new content.
        let shared = try writeFile("old", named: "shared.pem", in: dir)
        #expect(chmod(shared, 0o640) == 0 && chown(shared, 4242, 4343) == 0)
        #expect(try card.run(["jpki", "cert", "auth", "-o", shared]).exitCode == 0)
        let after = try #require(fileStatus(shared))
        #expect(after.st_mode & 0o7777 == 0o640)
        #expect(after.st_uid == 4242 && after.st_gid == 4343)
        #expect(try String(contentsOfFile: shared, encoding: .utf8).hasPrefix("-----BEGIN CERTIFICATE-----"))
    }

    @Test("face -o into a folder others can read writes files only the user can read, also over older, wider ones")
    func faceFilesPrivateInSharedFolder() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("public").path
        #expect(mkdir(folder, 0o755) == 0 && chmod(folder, 0o755) == 0)
        try Data("old photo".utf8).write(to: URL(fileURLWithPath: folder + "/photo.png"))
        #expect(chmod(folder + "/photo.png", 0o644) == 0)
        let face = try card.run(["face", "--pin-b", "-o", folder, "--pin-stdin", "--json"], input: card.pin("pinB") + "\n")
        #expect(face.exitCode == 0, "\(face.stderr)")
        let files = try #require(face.json?["files"] as? [String: String])
        #expect(files.count == 5)
        for path in files.values {
            #expect(fileStatus(path).map { $0.st_mode & 0o7777 } == 0o600, "\(path)")
        }
        // A folder it makes is 0700, parents included.
        let made = dir.appendingPathComponent("new/face").path
        let second = try card.run(["face", "--pin-b", "-o", made, "--pin-stdin"], input: card.pin("pinB") + "\n")
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(fileStatus(made).map { $0.st_mode & 0o7777 } == 0o700)
        #expect(fileStatus(dir.appendingPathComponent("new").path).map { $0.st_mode & 0o7777 } == 0o700)
    }

    @Test("an output that is one of the inputs is refused (exit 5) before any PIN is asked for, and the input is unchanged")
    func outputThatIsAnInputRefused() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let victim = try writeFile("%PDF-1.7 the contract", named: "victim.pdf", in: dir)
        let link = dir.appendingPathComponent("alias.pdf").path
        #expect(symlink(victim, link) == 0)
        let other = try writeFile("another", named: "other.pdf", in: dir)
        // other.pdf.sig is an input too: signing other.pdf along with it would overwrite it.
        try writeFile("an older signature", named: "other.pdf.sig", in: dir)
        for arguments in [
            ["jpki", "sign", "--key", "auth", victim, "-o", victim],
            ["jpki", "sign", "--key", "auth", victim, "-o", link],
            ["jpki", "sign", "--key", "auth", other, other + ".sig"],
        ] {
            // A wrong PIN: had it been sent, the counter would show it.
            let refused = try card.run(arguments + ["--pin-stdin"], input: "9999\n")
            #expect(refused.exitCode == 5, "\(arguments): \(refused.stderr)")
            #expect(refused.stderr.contains("is also an input of this command"), "\(refused.stderr)")
        }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "%PDF-1.7 the contract")
        #expect(try card.triesLeft()["auth"] == 3)
    }

    @Test("--out-dir with one input writes into the folder; a missing one is made (0700); two inputs of one name are refused")
    func outDir() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let document = try writeFile("doc", named: "doc.txt", in: dir)
        let out = dir.appendingPathComponent("signatures/2026").path
        let sign = try card.run(["jpki", "sign", "--key", "auth", document, "--out-dir", out, "--pin-stdin"], input: card.pin("auth") + "\n")
        #expect(sign.exitCode == 0, "\(sign.stderr)")
        #expect(sign.stdout.isEmpty, "the signature went to standard output instead of the folder")
        #expect(fileStatus(out + "/doc.txt.sig").map { $0.st_size } == 256)
        #expect(fileStatus(out).map { $0.st_mode & 0o7777 } == 0o700)
        try FileManager.default.createDirectory(atPath: dir.appendingPathComponent("b").path, withIntermediateDirectories: true)
        let twin = try writeFile("other doc", named: "b/doc.txt", in: dir)
        let clash = try card.run(["jpki", "sign", "--key", "auth", document, twin, "--out-dir", out, "--pin-stdin"], input: "9999\n")
        #expect(clash.exitCode == 5)
        #expect(clash.stderr.contains("same name"), "\(clash.stderr)")
    }
}
