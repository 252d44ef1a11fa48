import Foundation
import JPKIApplet

/// Hashes the input files on a thread of its own, so that the PIN can be typed while a large file is read,
/// and the card is looked for before the hashing starts rather than after it ends.
final class BackgroundDigests: @unchecked Sendable {
    private let paths: [String]
    private let opened: [InputFile?]
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var digests: [ComputedDigest] = []
    private var failure: (any Error)?
    private var finished = false
    private var progress: (file: Int, bytes: UInt64) = (0, 0)

    /// Starts hashing `inputs` with `algorithm`: each is read through its open file when given one, else
    /// opened again by its path ("-" is standard input).
    init(_ inputs: [(path: String, file: InputFile?)], algorithm: JPKIHashAlgorithm) {
        paths = inputs.map(\.path)
        opened = inputs.map(\.file)
        Thread { [self] in hashAll(with: algorithm) }.start()
    }

    private func hashAll(with algorithm: JPKIHashAlgorithm) {
        var results: [ComputedDigest] = []
        var error: (any Error)?
        for (index, path) in paths.enumerated() {
            update { $0.progress = (index, 0) }
            do {
                let file = try opened[index] ?? InputFiles.open(path)
                defer { file.close() }
                do {
                    results.append(try algorithm.hash(reading: file.handle) { done in self.update { $0.progress.bytes = done } })
                } catch {
                    throw InputError.cannotRead(path: terminalSafe(path), reason: Failure.plainDescription(of: error))
                }
            } catch let failed {
                error = failed
                break
            }
        }
        update { state in
            state.digests = results
            state.failure = error
            state.finished = true
        }
    }

    private func update(_ change: (BackgroundDigests) -> Void) {
        condition.lock()
        change(self)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until every file is hashed; while it waits, says on standard error which file is being read
    /// (with several) and how far a large one has got (every 256 MiB), so that a long wait is visibly not a hang.
    /// - Throws: ``InputError`` when a file could not be read to its end.
    func wait() throws -> [ComputedDigest] {
        condition.lock()
        defer { condition.unlock() }
        var reported: (file: Int, bytes: UInt64) = (-1, 0)
        while !finished {
            if progress.file != reported.file {
                reported = (progress.file, 0)
                if paths.count > 1 { Output.message("hashing \(terminalSafe(paths[progress.file])) (\(progress.file + 1)/\(paths.count))") }
            }
            if progress.bytes >= reported.bytes + (256 << 20) {
                reported.bytes = progress.bytes
                Output.message("hashing \(terminalSafe(paths[progress.file])): \(progress.bytes >> 20) MiB")
            }
            _ = condition.wait(until: Date().addingTimeInterval(0.5))
        }
        if let failure { throw failure }
        return digests
    }
}
