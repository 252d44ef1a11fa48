import ArgumentParser
import Foundation

/// Where signed documents go: `-o FILE` (one input), `--out-dir DIR`, `--in-place`, or by default a new
/// file `NAME-signed.EXT` next to each input. Every output is an ``OutputFile``, checked before any PIN is
/// asked: an input is only ever replaced with `--in-place`, and then by a complete signed copy renamed over
/// it, so the original stays whole if anything fails.
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

    /// Which file `path` is (it is opened and closed to find out, so an unreadable file is reported here).
    static func identity(of path: String) throws -> FileIdentity? {
        let file = try InputFiles.open(path)
        defer { file.close() }
        return file.identity
    }

    /// The output of each of `documents`. `inputs` are every file the command reads (the documents and any
    /// others), none of which an output may overwrite — except a document its own --in-place output replaces.
    func outputs(for documents: [String], suffix: String, inputs: [FileIdentity]) throws -> [OutputFile] {
        let folder = try outDir.map(OutputFolder.prepare)
        let outputs = try documents.map { path -> OutputFile in
            let url = URL(fileURLWithPath: path)
            if inPlace {
                let own = try Self.identity(of: path)
                return try OutputFile.prepare(path, privacy: .personal, inputs: inputs.filter { $0 != own })
            }
            if let folder { return try OutputFile.prepare(named: url.lastPathComponent, in: folder, privacy: .personal, inputs: inputs) }
            let name = url.deletingPathExtension().lastPathComponent + suffix + (url.pathExtension.isEmpty ? "" : "." + url.pathExtension)
            return try OutputFile.prepare(output ?? url.deletingLastPathComponent().appendingPathComponent(name).path,
                                          privacy: .personal, inputs: inputs)
        }
        if let twice = Dictionary(grouping: outputs, by: \.path).first(where: { $0.value.count > 1 })?.key {
            throw InputError.invalid("two inputs would both be written to \(terminalSafe(twice)): sign them separately")
        }
        return outputs
    }
}
