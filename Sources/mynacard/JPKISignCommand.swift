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
            Each file is hashed on this computer, in chunks (any size works); the card signs the hash. \
            The PIN is asked once for all files. With --cms the result is a detached CMS (PKCS#7) \
            signature that `openssl cms -verify` accepts; otherwise a plain RSA PKCS#1 v1.5 signature. \
            One input goes to standard output or -o; several inputs each get FILE.sig (FILE.p7s with --cms) \
            next to them or in --out-dir, or, with --format json, one JSON document with all signatures.
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

    @Option(name: .shortAndLong, help: "Write the signature of the single input to this file.")
    var output: String?

    @Option(name: .long, help: ArgumentHelp("With several inputs, write the signatures into this folder.", valueName: "dir"))
    var outDir: String?

    @OptionGroup var card: CardOptions
    @OptionGroup var pinInput: PINInputOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file to sign, or - for standard input") }
        if output != nil && files.count > 1 { throw ValidationError("-o takes one input; for several, signatures go to FILE.sig or --out-dir") }
        if files.contains("-") && files.count > 1 { throw ValidationError("- (standard input) can only be signed on its own") }
        if files.contains("-") && pinInput.pinStdin { throw ValidationError("standard input cannot carry both the data and the PIN: use --pin-fd or --pin-env") }
        if chain && !cms { throw ValidationError("--chain only applies to --cms") }
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
    }

    func run() throws {
        try Failure.report(json: outputFormat == .json) {
            // Hash first: unreadable files are reported before any PIN is asked or sent.
            var digests: [ComputedDigest] = []
            for (index, path) in files.enumerated() {
                let handle = try InputFiles.handle(path)
                if files.count > 1 { Output.message("hashing \(path) (\(index + 1)/\(files.count))") }
                do {
                    var reported: UInt64 = 0
                    digests.append(try hash.hash(reading: handle) { done in
                        // Large inputs: a line every 256 MiB, so a long wait is visibly not a hang.
                        guard done - reported >= 256 << 20 else { return }
                        reported = done
                        Output.message("hashing \(path): \(done >> 20) MiB")
                    })
                } catch {
                    throw InputError.cannotRead(path: path, reason: error.localizedDescription)
                }
                if path != "-" { try? handle.close() }
            }
            let pinReader = pinInput.makeReader()
            let (signatures, certificate) = try withCard(card) { transport in
                // One PIN entry for the batch; every signature is checked against the certificate before use.
                let signer = try JPKISigner(session: JPKISession(transport: transport), key: key, includeChain: chain,
                                            force: pinInput.force) { try pinReader.read(prompt: "\(key.pin.displayName): ") }
                defer { signer.finish() }
                var signatures: [[UInt8]] = []
                for (index, digest) in digests.enumerated() {
                    signatures.append(cms ? try signer.signDetachedCMS(contentDigest: digest) : try signer.sign(digest))
                    if files.count > 1 { Output.message("signed \(files[index]) (\(index + 1)/\(files.count))") }
                }
                return (signatures, signer.signerCertificate.der)
            }
            let results = zip(files, zip(digests, signatures)).map { file, pair in
                Signed(key: key.rawValue, hash: hash.rawValue, algorithm: hash.rsaSignatureName, format: cms ? "cms" : "pkcs1",
                       file: file, digest: pair.0.bytes.hexString, signature: Data(pair.1).base64EncodedString(),
                       certificateSha256: sha256Hex(certificate))
            }
            try write(results, signatures: signatures)
        }
    }

    private func write(_ results: [Signed], signatures: [[UInt8]]) throws {
        if outputFormat == .json {
            let json = results.count == 1 ? try Output.jsonBytes(results[0]) : try Output.jsonBytes(["signatures": results])
            return try Output.write(json, to: output)
        }
        let encoded = signatures.map { outputFormat == .base64 ? Array((Data($0).base64EncodedString() + "\n").utf8) : $0 }
        if files.count == 1 { return try Output.write(encoded[0], to: output) }
        for (path, bytes) in zip(files, encoded) {
            var target = URL(fileURLWithPath: path + (cms ? ".p7s" : ".sig"))
            if let outDir { target = URL(fileURLWithPath: outDir).appendingPathComponent(target.lastPathComponent) }
            try Output.write(bytes, to: target.path)
            Output.message("wrote \(target.path)")
        }
    }
}
