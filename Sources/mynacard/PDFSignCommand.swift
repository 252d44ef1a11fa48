import ArgumentParser
import CardSession
import Foundation
import JPKIApplet
import PDFSignature

/// `mynacard pdf sign FILE…`: sign PDFs with the card, one password entry for all.
struct PDFSignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign PDFs with the signing key, as the 法務局 requires (電子署名付きPDFファイル).",
        discussion: """
            Each PDF gets an invisible signature as an incremental update: its original bytes stay untouched \
            and first, signatures already in it stay valid (co-signing), and nothing follows the new signature. \
            The signature dictionary follows the 法務局's table (/SubFilter /adbe.pkcs7.detached, /Name = the \
            signer's name from the certificate, /M = the signing time, a detached CMS with the certificate and \
            its CA). The signing password is asked once for all files. Every file is read and checked before the \
            password is asked; an encrypted PDF is refused. The signed copy goes to NAME-signed.pdf next to the \
            input, -o, --out-dir, or replaces the input with --in-place. See docs/pdf-signatures.md.
            """
    )

    @Argument(help: "The PDFs to sign.")
    var files: [String]

    @Option(name: .long, help: "/Name, the signer's name (default: the name in the signature certificate, else its common name).")
    var name: String?

    @Option(name: .long, help: "/Reason, why the document is signed (optional).")
    var reason: String?

    @Option(name: .long, help: "/Location, where it is signed (optional).")
    var location: String?

    @OptionGroup var outputs: SignedDocumentOutputs
    @OptionGroup var signing: CardSigningOptions
    @OptionGroup var outputOptions: OutputOptions

    /// The largest PDF read: it is held in memory while it is signed.
    static let largestPDF = 256 << 20

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one PDF to sign") }
        try outputs.validate(inputs: files)
    }

    /// One signed file, as the JSON form shows it.
    struct Signed: Encodable {
        var input: String
        var output: String
        var field: String
        var signingTime: Date
        var bytesAdded: Int
    }

    func run() throws {
        try Failure.report(json: outputOptions.json) {
            // Everything that can be checked without the card is checked before the password is asked.
            let identities = try files.compactMap(SignedDocumentOutputs.identity(of:))
            let targets = try outputs.outputs(for: files, suffix: "-signed", inputs: identities)
            let documents = try files.map { path in
                do {
                    let document = try PDFFile(bytes: try InputFiles.bytes(path, what: "a PDF to sign", limit: Self.largestPDF))
                    try document.checkSignable()
                    return document
                } catch let error as PDFError {
                    throw InputError.invalid("\(terminalSafe(path)): \(error)")
                }
            }
            var time = Date()
            let signed: [(bytes: [UInt8], report: PDFSignatureReport)] = try signing.withSigner { signer in
                time = Date()  // the signing time: after the password, not before someone typed it
                let signerName = name ?? SignatureCertificateHolder(certificate: signer.certificate)?.name
                return try zip(files, documents).enumerated().map { index, pair in
                    let (path, document) = pair
                    let bytes = try document.signed(by: signer, options: PDFSigningOptions(name: signerName, signingTime: time,
                                                                                           reason: reason, location: location))
                    // Read the result back and check the new signature before anything is written.
                    guard let report = try PDFFile(bytes: bytes).signatureReports().last,
                          report.requirements.first(where: { $0.id == "integrity" })?.passed == true else {
                        throw InputError.invalid("\(terminalSafe(path)): the signed PDF did not pass its own check; nothing was written")
                    }
                    if files.count > 1 { Output.message("signed \(terminalSafe(path)) (\(index + 1)/\(files.count))") }
                    return (bytes, report)
                }
            }
            var results: [Signed] = []
            for ((input, target), result) in zip(zip(files, targets), signed) {
                try target.write(result.bytes)
                results.append(Signed(input: input, output: target.path, field: result.report.fieldName, signingTime: time,
                                      bytesAdded: result.bytes.count - documents[results.count].bytes.count))
            }
            if outputOptions.json {
                try Output.json(["signed": results])
            } else {
                for result in results { Output.line("signed \(terminalSafe(result.input)) → \(terminalSafe(result.output)) (\(result.field))") }
            }
        }
    }
}
