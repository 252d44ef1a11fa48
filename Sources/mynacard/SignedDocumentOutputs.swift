import ArgumentParser
import Foundation

/// Where signed documents go: `-o FILE` (one input), `--out-dir DIR`, `--in-place`, or by default a new
/// file `NAME-signed.EXT` next to each input. An input is only ever replaced with `--in-place`, and then
/// only once its signed copy is complete (the old file stays whole if anything fails).
struct SignedDocumentOutputs: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("Write the signed document to this file (one input only).", valueName: "file"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Write the signed documents into this folder, under their own names.", valueName: "dir"))
    var outDir: String?

    @Flag(name: .long, help: "Replace each input with its signed version (written completely first, then renamed over it).")
    var inPlace = false

    func validate(inputs: [String]) throws {
        if [output != nil, outDir != nil, inPlace].filter({ $0 }).count > 1 { throw ValidationError("give only one of -o, --out-dir and --in-place") }
        if output != nil && inputs.count > 1 { throw ValidationError("-o takes one input; for several, use --out-dir or --in-place") }
        if inputs.contains("-") { throw ValidationError("documents are read from files, not standard input") }
        if output == "-" { throw ValidationError("-o takes a file name; signed documents are not written to standard output") }
        if Set(inputs).count != inputs.count { throw ValidationError("the same file is given twice") }
    }

    /// The file each input's signed version goes to. Checked before any PIN is asked: the folder must
    /// exist, and an output must not be an input unless it is that input with --in-place.
    func targets(for inputs: [String], suffix: String) throws -> [String] {
        let targets = inputs.map { input -> String in
            if inPlace { return input }
            if let output { return output }
            let url = URL(fileURLWithPath: input)
            let name = url.deletingPathExtension().lastPathComponent + suffix + (url.pathExtension.isEmpty ? "" : "." + url.pathExtension)
            if let outDir { return URL(fileURLWithPath: outDir).appendingPathComponent(url.lastPathComponent).path }
            return url.deletingLastPathComponent().appendingPathComponent(name).path
        }
        if Set(targets).count != targets.count {
            throw InputError.invalid("two inputs would be written to the same file (inputs with the same name into one --out-dir?)")
        }
        let resolvedInputs = Set(inputs.map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path })
        for target in targets {
            let resolved = URL(fileURLWithPath: target).standardizedFileURL.resolvingSymlinksInPath()
            if !inPlace && resolvedInputs.contains(resolved.path) {
                throw InputError.invalid("\(target) is an input; the original is never overwritten unless --in-place is given")
            }
            var isDirectory: ObjCBool = false
            let folder = resolved.deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw InputError.cannotWrite(path: target, reason: "the folder \(folder) does not exist")
            }
            if FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), isDirectory.boolValue {
                throw InputError.cannotWrite(path: target, reason: "it is a folder")
            }
            guard FileManager.default.isWritableFile(atPath: folder) else {
                throw InputError.cannotWrite(path: target, reason: "the folder \(folder) is not writable")
            }
        }
        return targets
    }
}
