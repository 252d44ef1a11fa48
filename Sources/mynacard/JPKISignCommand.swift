import APDU
import ArgumentParser
import CardSession
import Foundation
import JPKIApplet

/// `mynacard jpki sign --key auth|sign FILE…`: sign files with a card key.
struct JPKISignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign files with the card's authentication or signing key.",
        discussion: """
            Each file is hashed on this computer, in chunks (any size works), while the PIN is typed; the card \
            signs the hash. The PIN is asked once for all files. With --cms the result is a detached CMS (PKCS#7) \
            signature that `openssl cms -verify` accepts; otherwise a plain RSA PKCS#1 v1.5 signature. \
            One input goes to standard output or -o; several inputs each get FILE.sig (FILE.p7s with --cms) \
            next to them; with --out-dir every input's FILE.sig goes into that folder (made, 0700, if missing). \
            With --format json all signatures are one JSON document, on standard output or -o. \
            Files and folders are checked before the card is used: a command that cannot write its output \
            asks for no PIN. New signature files are readable only by you (0600); an existing file keeps its \
            permissions; an input is never overwritten. Raw signatures are not written to a terminal (use -o -).
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case raw, base64, json
    }

    @Option(name: .long, help: "Which key signs: auth (authentication PIN) or sign (signing password).")
    var key: JPKIKey

    @Option(name: .long, help: "Hash function: sha256, sha384 or sha512.")
    var hash: JPKIHashAlgorithm = .sha256

    @Argument(help: "Files to sign; - for standard input.")
    var files: [String]

    @Option(name: .long, help: "Output format: raw (binary), base64 or json.")
    var format: Format = .raw

    @Flag(name: .long, help: "Same as --format json.")
    var json = false

    @Flag(name: .long, help: "Write a detached CMS SignedData (PKCS#7) instead of a bare signature.")
    var cms = false

    @Flag(name: .long, help: "With --cms, include the issuing CA certificate too.")
    var chain = false

    @Flag(name: .long, help: "With --format json, include the signer's certificate (DER, base64): signature, certificate and digest from one PIN entry.")
    var includeCertificate = false

    @Flag(name: .long, help: "Do not print the note about the personal data in the signature certificate.")
    var quiet = false

    @Option(name: .shortAndLong, help: "Write the signature of the single input (or, with --format json, the one document) to this file; - for standard output.")
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Write each input's signature (FILE.sig, FILE.p7s) into this folder.", valueName: "dir"))
    var outDir: String?

    @OptionGroup var card: CardOptions
    @OptionGroup var pinInput: PINInputOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file to sign, or - for standard input") }
        if output != nil && outDir != nil { throw ValidationError("give -o FILE or --out-dir DIR, not both") }
        if output != nil && files.count > 1 && outputFormat != .json {
            throw ValidationError("-o takes one input (or, with --format json, the one document for all); for several, signatures go to FILE.sig or --out-dir")
        }
        if outDir != nil && outputFormat == .json { throw ValidationError("--format json writes one document for all inputs: use -o FILE, not --out-dir") }
        if outDir != nil && files.contains("-") { throw ValidationError("standard input has no name to write FILE.sig after: use -o FILE") }
        if files.contains("-") && files.count > 1 { throw ValidationError("- (standard input) can only be signed on its own") }
        if files.contains("-") && (pinInput.pinStdin || pinInput.pinFd == 0) {
            throw ValidationError("standard input cannot carry both the data and the PIN: use --pin-fd or --pin-env")
        }
        if chain && !cms { throw ValidationError("--chain only applies to --cms") }
        if includeCertificate && outputFormat != .json { throw ValidationError("--include-certificate only applies to --format json") }
    }

    /// The format asked for, `--json` included.
    private var outputFormat: Format { json ? .json : format }

    /// One signature, as the JSON form shows it.
    struct Signed: Encodable {
        var key: String
        var hash: String
        var algorithm: String
        var format: String
        var file: String
        var digest: String
        var signature: String
        var certificateSha256: String
        /// The signer's certificate, DER in base64 (with --include-certificate).
        var certificate: String?
    }

    func run() throws {
        try Failure.report(json: outputFormat == .json) {
            // Every input and output is checked before the card is used and any PIN asked for. Regular files
            // are opened again for hashing (thousands may be signed at once); pipes, FIFOs and devices stay
            // open, since what they hold is read only once.
            var inputs: [(path: String, file: InputFile?)] = []
            var identities: [FileIdentity] = []
            for path in files {
                let file = try InputFiles.open(path)
                identities += [file.identity].compactMap { $0 }
                let isRegular = file.identity?.isRegularFile == true
                if isRegular { file.close() }
                inputs.append((path, isRegular ? nil : file))
            }
            let outputs = try plannedOutputs(inputs: identities)
            PrivacyNotice.beforeSigning(with: key, quiet: quiet)
            let pinReader = pinInput.makeReader()
            let (digests, signatures, certificate) = try withCard(card) { session in
                // The card is there: hash meanwhile, while the PIN is typed — with the card free for other programs;
                // the PIN is sent only once every file is read.
                let hashing = BackgroundDigests(inputs, algorithm: hash)
                var entry = pinReader.entry(force: pinInput.force)
                if entry.mayWait {
                    entry = entry.then { _ = try hashing.wait() }
                } else {
                    _ = try hashing.wait()  // a PIN in hand: the card is taken once the files are read
                }
                // One PIN entry for the batch; every signature is checked against the certificate before use.
                let signer = try JPKISigner(session: session, key: key, includeChain: chain, force: pinInput.force, entry: entry)
                defer { signer.finish() }
                let digests = try hashing.wait()
                var signatures: [[UInt8]] = []
                for (index, digest) in digests.enumerated() {
                    signatures.append(cms ? try signer.signDetachedCMS(contentDigest: digest) : try signer.sign(digest))
                    if files.count > 1 { Output.message("signed \(terminalSafe(files[index])) (\(index + 1)/\(files.count))") }
                }
                return (digests, signatures, signer.signerCertificate.der)
            }
            let results = zip(files, zip(digests, signatures)).map { file, pair in
                Signed(key: key.rawValue, hash: hash.rawValue, algorithm: hash.rsaSignatureName, format: cms ? "cms" : "pkcs1",
                       file: file, digest: pair.0.bytes.hexString, signature: Data(pair.1).base64EncodedString(),
                       certificateSha256: sha256Hex(certificate),
                       certificate: includeCertificate ? Data(certificate).base64EncodedString() : nil)
            }
            try write(results, signatures: signatures, to: outputs)
        }
    }

    /// Where the signatures go — one document, or one file per input — checked before the card is used.
    private func plannedOutputs(inputs: [FileIdentity]) throws -> [OutputFile] {
        if outputFormat == .json || (files.count == 1 && outDir == nil) {
            return [try OutputFile.prepare(output, privacy: .personal, binary: outputFormat == .raw, inputs: inputs)]
        }
        let folder = try outDir.map(OutputFolder.prepare)
        let outputs = try files.map { path in
            let name = (path as NSString).lastPathComponent + (cms ? ".p7s" : ".sig")
            if let folder { return try OutputFile.prepare(named: name, in: folder, privacy: .personal, inputs: inputs) }
            return try OutputFile.prepare(path + (cms ? ".p7s" : ".sig"), privacy: .personal, inputs: inputs)
        }
        if let twice = Dictionary(grouping: outputs, by: \.path).first(where: { $0.value.count > 1 })?.key {
            throw InputError.invalid("two inputs of the same name would both be signed into \(terminalSafe(twice)): sign them separately")
        }
        return outputs
    }

    private func write(_ results: [Signed], signatures: [[UInt8]], to outputs: [OutputFile]) throws {
        if outputFormat == .json {
            return try outputs[0].write(results.count == 1 ? try Output.jsonBytes(results[0]) : try Output.jsonBytes(["signatures": results]))
        }
        let encoded = signatures.map { outputFormat == .base64 ? Array((Data($0).base64EncodedString() + "\n").utf8) : $0 }
        for (output, bytes) in zip(outputs, encoded) {
            try output.write(bytes)
            if outputs.count > 1 || outDir != nil { Output.message("wrote \(terminalSafe(output.path))") }
        }
    }
}
