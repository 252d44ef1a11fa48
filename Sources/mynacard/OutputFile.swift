import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Who may read a file that a command creates.
enum OutputPrivacy {
    /// Data anyone may read (a certification authority's certificate): a new file gets 0666 less the umask.
    case shareable
    /// Personal data (signatures, the holder's certificates, login bundles): a new file is 0600; an existing
    /// file that the user named keeps its mode and owner.
    case personal
    /// Personal data in files whose names mynacard chose (the card face's images): always 0600 and the
    /// user's own, even where such a file was there before with wider permissions.
    case alwaysPrivate
}

/// One output of a command — a file or standard output — checked before any PIN is asked for and written
/// in one go once the card work is done. Every file mynacard writes goes through here:
///
/// - A path that does not exist is created through a temporary file in the same folder (0600 for personal
///   data), linked into place only once it is complete.
/// - An existing regular file is replaced the same way and keeps its mode and owner.
/// - Anything else that exists — a device, a FIFO, a file with several hard links, a symbolic link — is
///   opened and written in place, never replaced. A symbolic link is followed as the shell's `>` follows it,
///   except in a sticky folder that everyone may write to (such as /tmp), where another user may have
///   planted it: there it is refused.
/// - An output that is one of the command's inputs is refused (exit 5), before anything happens.
/// - Binary data is not written to a terminal unless asked for with `-o -`.
struct OutputFile {
    /// The path as the user gave it, or "-" for standard output.
    let path: String
    private let privacy: OutputPrivacy
    private let plan: Plan
    /// A folder that must be made before this file can be written (`--out-dir`, `face -o`).
    private let folder: OutputFolder?

    private enum Plan {
        case standardOutput
        /// Nothing there yet: write a new file.
        case create
        /// A regular file with one link: write a temporary file and rename it over this one.
        case replace(FileStatus)
        /// Open the existing target and write into it; `identity` is what must still be there when opened
        /// (nil when following a symbolic link, which the shell follows too).
        case inPlace(followLink: Bool, identity: FileIdentity?)
    }

    /// Checks where `path` can be written: `nil` is standard output (refused for `binary` data when it is a
    /// terminal), "-" is standard output as asked for. `inputs` are the command's input files.
    /// - Throws: ``InputError`` when the output cannot be written or would overwrite an input.
    static func prepare(_ path: String?, privacy: OutputPrivacy, binary: Bool = false, inputs: [FileIdentity] = []) throws -> OutputFile {
        guard let path, path != "-" else {
            if path == nil && binary && isatty(STDOUT_FILENO) == 1 {
                throw InputError.invalid("the output is binary and standard output is a terminal: give -o FILE or redirect it (> FILE), "
                    + "choose a text format, or give -o - to write it to the terminal anyway")
            }
            if let target = FileIdentity(descriptor: STDOUT_FILENO), target.isRegularFile, inputs.contains(target) {
                throw InputError.invalid("standard output is one of the input files: writing to it would destroy it")
            }
            return OutputFile(path: "-", privacy: privacy, plan: .standardOutput, folder: nil)
        }
        return OutputFile(path: path, privacy: privacy, plan: try plan(for: path, inputs: inputs), folder: nil)
    }

    /// A file in `folder`, checked like ``prepare(_:privacy:binary:inputs:)`` when the folder exists already.
    static func prepare(named name: String, in folder: OutputFolder, privacy: OutputPrivacy, inputs: [FileIdentity]) throws -> OutputFile {
        let path = (folder.path as NSString).appendingPathComponent(name)
        let plan = folder.exists ? try plan(for: path, inputs: inputs) : .create
        return OutputFile(path: path, privacy: privacy, plan: plan, folder: folder)
    }

    private static func plan(for path: String, inputs: [FileIdentity]) throws -> Plan {
        guard !path.isEmpty else { throw InputError.invalid("an output file name is empty") }
        func refuse(_ reason: String) -> InputError { InputError.cannotWrite(path: terminalSafe(path), reason: reason) }
        guard var status = FileStatus(path: path, followingLinks: false) else {
            guard errno == ENOENT else { throw refuse(systemReason(errno)) }
            try checkFolderAccepts(newFileAt: path)
            return .create
        }
        let isLink = status.isSymbolicLink
        if isLink {
            try refusePlantedLink(path, pointingTo: "file")
            guard let target = FileStatus(path: path, followingLinks: true) else {
                guard errno == ENOENT else { throw refuse(systemReason(errno)) }
                // A link to nothing yet: the shell creates the file it names, and so does this.
                try checkFolderAccepts(newFileAt: try linkTarget(of: path))
                return .inPlace(followLink: true, identity: nil)
            }
            status = target
        }
        if status.isDirectory { throw refuse("it is a folder, not a file") }
        if inputs.contains(status.identity) {
            throw InputError.invalid("\(terminalSafe(path)) is also an input of this command: writing it would destroy it. Nothing was done; choose another output")
        }
        if status.isSocket { throw refuse("it is a socket, not a file") }
        if !isLink && status.isRegularFile && status.linkCount == 1 {
            if (try? checkFolderAccepts(newFileAt: path)) != nil { return .replace(status) }
            // The folder is closed to new files but the file itself may be writable: write into it.
        }
        guard access(path, W_OK) == 0 else { throw refuse(systemReason(errno)) }
        return .inPlace(followLink: isLink, identity: isLink ? nil : status.identity)
    }

    /// Checks that a new file can be made next to `path` by making (and removing) an empty one: as root,
    /// permissions say yes to folders such as /proc that take no files.
    private static func checkFolderAccepts(newFileAt path: String) throws {
        let folder = parentFolder(of: path)
        guard let status = FileStatus(path: folder, followingLinks: true) else {
            throw InputError.cannotWrite(path: terminalSafe(path), reason: errno == ENOENT ? "the folder \(terminalSafe(folder)) does not exist" : systemReason(errno))
        }
        guard status.isDirectory else { throw InputError.cannotWrite(path: terminalSafe(path), reason: "\(terminalSafe(folder)) is not a folder") }
        if let code = cannotCreateFiles(in: folder) {
            throw InputError.cannotWrite(path: terminalSafe(path), reason: "cannot create files in \(terminalSafe(folder)): \(systemReason(code))")
        }
    }

    /// Why no file can be made in `folder` (an `errno`), found by making and removing an empty one; nil when one can.
    fileprivate static func cannotCreateFiles(in folder: String) -> Int32? {
        let (descriptor, probe) = makeTemporaryFile(in: folder, near: ".mynacard-probe")
        guard descriptor >= 0 else { return errno }
        close(descriptor)
        unlink(probe)
        return nil
    }

    /// Refuses `path` when it is a symbolic link in a sticky folder that every user may write to (such as /tmp):
    /// anyone may have put it there, pointing anywhere.
    fileprivate static func refusePlantedLink(_ path: String, pointingTo kind: String) throws {
        guard FileStatus(path: path, followingLinks: false)?.isSymbolicLink == true,
              FileStatus(path: parentFolder(of: path), followingLinks: true)?.isStickyAndWorldWritable == true else { return }
        throw InputError.cannotWrite(path: terminalSafe(path), reason: "it is a symbolic link in a folder that every user may write to, "
            + "so anyone may have put it there; give the \(kind) it points to instead")
    }

    /// Writes `bytes` as planned. A file appears whole or not at all, except where it is written in place.
    func write(_ bytes: [UInt8]) throws {
        if case .standardOutput = plan { return Output.standardOutput(bytes) }
        try folder?.create()
        switch plan {
        case .standardOutput: break
        case .create: try writeThroughTemporaryFile(bytes, replacing: nil)
        case .replace(let original): try writeThroughTemporaryFile(bytes, replacing: original)
        case .inPlace(let followLink, let identity): try writeInPlace(bytes, followLink: followLink, identity: identity)
        }
    }

    private func failure(_ reason: String) -> InputError { InputError.cannotWrite(path: terminalSafe(path), reason: reason) }

    private var newFileMode: mode_t { privacy == .shareable ? 0o666 & ~processUmask : 0o600 }

    private func writeThroughTemporaryFile(_ bytes: [UInt8], replacing original: FileStatus?) throws {
        let (descriptor, temporary) = Self.makeTemporaryFile(in: Self.parentFolder(of: path), near: "." + (path as NSString).lastPathComponent)
        guard descriptor >= 0 else { throw failure(systemReason(errno)) }
        var linked = false
        defer { if !linked { unlink(temporary) } }
        do {
            defer { close(descriptor) }
            if let original {
                let mode = privacy == .alwaysPrivate ? 0o600 : original.mode & 0o7777
                if original.owner != (geteuid(), getegid()), fchown(descriptor, original.owner.user, original.owner.group) != 0 {
                    // Only the owner's own file keeps its owner when replaced: write into it instead.
                    return try writeInPlace(bytes, followLink: false, identity: original.identity)
                }
                guard fchmod(descriptor, mode) == 0 else { throw failure(systemReason(errno)) }
            } else if fchmod(descriptor, newFileMode) != 0 {
                throw failure(systemReason(errno))
            }
            let code = writeAll(bytes, to: descriptor)
            guard code == 0 else { throw failure(systemReason(code)) }
            guard fsync(descriptor) == 0 else { throw failure(systemReason(errno)) }
        }
        if let original {
            // Replace only what was checked: a link or another file put there meanwhile is left alone.
            guard let now = FileStatus(path: path, followingLinks: false), now.identity == original.identity, now.isRegularFile else {
                throw failure("it changed while the card was working; nothing was written")
            }
            guard rename(temporary, path) == 0 else { throw failure(systemReason(errno)) }
        } else if link(temporary, path) != 0 {
            // link(2) never replaces; where the file system has no hard links, rename after checking again.
            let code = errno
            guard code != EEXIST else { throw failure("a file of that name appeared while the card was working; nothing was written") }
            guard FileStatus(path: path, followingLinks: false) == nil, errno == ENOENT, rename(temporary, path) == 0 else {
                throw failure(systemReason(code))
            }
        } else {
            unlink(temporary)
        }
        linked = true
    }

    private func writeInPlace(_ bytes: [UInt8], followLink: Bool, identity: FileIdentity?) throws {
        let flags = O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC | (followLink ? O_CREAT : O_NOFOLLOW)
        let descriptor = open(path, flags, newFileMode)
        guard descriptor >= 0 else { throw failure(systemReason(errno)) }
        defer { close(descriptor) }
        if let identity, FileIdentity(descriptor: descriptor) != identity {
            throw failure("it changed while the card was working")
        }
        let code = writeAll(bytes, to: descriptor)
        guard code == 0 else { throw failure(systemReason(code)) }
    }

    /// Creates an empty 0600 file with a unique name in `folder`.
    /// - Returns: its descriptor (negative on failure, with `errno` set) and path.
    fileprivate static func makeTemporaryFile(in folder: String, near name: String) -> (Int32, String) {
        var template = Array("\(folder)/\(name).mynacard-XXXXXX".utf8CString)
        let descriptor = mkstemp(&template)
        return (descriptor, String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    fileprivate static func parentFolder(of path: String) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    /// Where a symbolic link points, relative to the link's folder when the link is relative.
    private static func linkTarget(of path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(path, &buffer, buffer.count - 1)
        guard length >= 0 else { throw InputError.cannotWrite(path: terminalSafe(path), reason: systemReason(errno)) }
        let target = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.hasPrefix("/") ? target : (parentFolder(of: path) as NSString).appendingPathComponent(target)
    }
}

/// A folder for several outputs (`jpki sign --out-dir`, `face -o`), checked before any PIN is asked for and
/// made, with any missing parents, only when the first file is written. Folders it makes are 0700.
final class OutputFolder {
    /// The folder's path.
    let path: String
    /// Whether the folder is there (it was when checked, or it has been made).
    private(set) var exists: Bool

    private init(path: String, exists: Bool) {
        self.path = path
        self.exists = exists
    }

    /// Checks that `path` is a folder files can be written to, or one that can be made.
    static func prepare(_ path: String) throws -> OutputFolder {
        func refuse(_ reason: String) -> InputError { InputError.cannotWrite(path: terminalSafe(path), reason: reason) }
        guard !path.isEmpty else { throw InputError.invalid("an output folder name is empty") }
        if FileStatus(path: path, followingLinks: false) != nil {
            try OutputFile.refusePlantedLink(path, pointingTo: "folder")
            guard let target = FileStatus(path: path, followingLinks: true) else { throw refuse(systemReason(errno)) }
            guard target.isDirectory else { throw refuse("it exists and is not a folder") }
            if let code = OutputFile.cannotCreateFiles(in: path) { throw refuse("cannot create files in it: \(systemReason(code))") }
            return OutputFolder(path: path, exists: true)
        }
        guard errno == ENOENT else { throw refuse(systemReason(errno)) }
        // Missing: the nearest folder above it that exists must take new folders.
        var ancestor = OutputFile.parentFolder(of: path)
        while FileStatus(path: ancestor, followingLinks: true) == nil, errno == ENOENT, ancestor != "/", ancestor != "." {
            ancestor = OutputFile.parentFolder(of: ancestor)
        }
        guard let status = FileStatus(path: ancestor, followingLinks: true), status.isDirectory else {
            throw refuse("\(terminalSafe(ancestor)) is not a folder")
        }
        let probe = (ancestor as NSString).appendingPathComponent(".mynacard-probe-\(getpid())")
        guard mkdir(probe, 0o700) == 0 else { throw refuse("cannot create a folder in \(terminalSafe(ancestor)): \(systemReason(errno))") }
        rmdir(probe)
        return OutputFolder(path: path, exists: false)
    }

    /// A new folder in the temporary folder (`$TMPDIR`, else /tmp), named after `prefix` and a random part,
    /// made (0700) when the first file is written.
    static func prepareTemporary(prefix: String) throws -> OutputFolder {
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let random = (0..<8).map { _ in String(UInt8.random(in: 0..<36), radix: 36) }.joined()
        return try prepare((base as NSString).appendingPathComponent("\(prefix)-\(random)"))
    }

    /// Makes the folder and any missing parents (each 0700) unless it existed when checked. The folder
    /// itself must be new: one that appeared meanwhile (perhaps a link planted in /tmp) is not written into.
    func create() throws {
        if exists { return }
        var missing: [String] = []
        var current = path
        while FileStatus(path: current, followingLinks: false) == nil, errno == ENOENT, current != "/", current != "." {
            missing.append(current)
            current = OutputFile.parentFolder(of: current)
        }
        guard missing.first == path else {
            throw InputError.cannotWrite(path: terminalSafe(path), reason: "it appeared while the card was working; nothing was written there")
        }
        for folder in missing.reversed() where mkdir(folder, 0o700) != 0 {
            let code = errno
            guard code == EEXIST, folder != path, FileStatus(path: folder, followingLinks: true)?.isDirectory == true else {
                throw InputError.cannotWrite(path: terminalSafe(folder), reason: "cannot create the folder: \(systemReason(code))")
            }
        }
        exists = true
    }
}

/// The process's umask, read once (reading it means setting it).
private let processUmask: mode_t = {
    let mask = umask(0o077)
    umask(mask)
    return mask
}()

/// A file's identity on this machine: two paths with the same identity are the same file.
struct FileIdentity: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64
    /// Whether it is a regular file (not a terminal, pipe or device).
    let isRegularFile: Bool

    init(device: UInt64, inode: UInt64, isRegularFile: Bool) {
        self.device = device
        self.inode = inode
        self.isRegularFile = isRegularFile
    }

    /// The file open on `descriptor`, if it can be examined.
    init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        self.init(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), isRegularFile: info.st_mode & S_IFMT == S_IFREG)
    }

    static func == (left: FileIdentity, right: FileIdentity) -> Bool {
        left.device == right.device && left.inode == right.inode
    }
}

/// What `stat(2)` or `lstat(2)` says of a path (nil, with `errno` set, when it says nothing).
struct FileStatus {
    private let info: stat

    init?(path: String, followingLinks: Bool) {
        var info = stat()
        guard (followingLinks ? stat(path, &info) : lstat(path, &info)) == 0 else { return nil }
        self.info = info
    }

    var mode: mode_t { info.st_mode }
    var identity: FileIdentity { FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), isRegularFile: isRegularFile) }
    var owner: (user: uid_t, group: gid_t) { (info.st_uid, info.st_gid) }
    var linkCount: UInt64 { UInt64(info.st_nlink) }
    var isRegularFile: Bool { info.st_mode & S_IFMT == S_IFREG }
    var isDirectory: Bool { info.st_mode & S_IFMT == S_IFDIR }
    var isSymbolicLink: Bool { info.st_mode & S_IFMT == S_IFLNK }
    var isSocket: Bool { info.st_mode & S_IFMT == S_IFSOCK }
    /// A folder like /tmp: everyone may create files, only their owners may remove them.
    var isStickyAndWorldWritable: Bool { isDirectory && info.st_mode & S_ISVTX != 0 && info.st_mode & S_IWOTH != 0 }
}
