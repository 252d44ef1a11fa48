import ArgumentParser
import Foundation
import JPKIApplet
import XMLSignature

/// `mynacard xml sign kousei.xml FILE…`: an e-Gov style enveloped XML signature made by the card.
struct XMLSignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign an XML element by its ID (default 構成情報) and the files it lists, as e-Gov's 電子申請 expects.",
        discussion: """
            Adds an XML Signature (Canonical XML 1.0, RSA-SHA256) inside <署名情報> after the signed element: one \
            reference to the element (#構成情報) and one per attached file, named by its percent-encoded file name. \
            Attached files are referenced by name only, so keep them in the XML's folder. A document signed \
            before keeps its signatures (co-signing). The signed XML goes to NAME-signed.xml, -o, or replaces the \
            input with --in-place. Documents with a DOCTYPE are refused. See docs/xml-signatures.md.
            """
    )

    @Argument(help: "The XML to sign (e.g. kousei.xml).")
    var document: String

    @Argument(help: "Files signed with it (e.g. the application form and attachments).")
    var attachments: [String] = []

    @Option(name: .long, help: "The ID of the element to sign (its ID, Id or id attribute).")
    var id: String = XMLSignature.defaultElementID

    @OptionGroup var outputs: SignedDocumentOutputs
    @OptionGroup var signing: CardSigningOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if outputs.outDir != nil { throw ValidationError("xml sign writes one file: use -o or --in-place") }
        try outputs.validate(inputs: [document])
        let names = attachments.map { URL(fileURLWithPath: $0).lastPathComponent }
        if Set(names).count != names.count { throw ValidationError("two attached files have the same name; references name files only by their names") }
    }

    /// What was signed, as the JSON form shows it.
    struct Signed: Encodable {
        var input: String
        var output: String
        var element: String
        var attachments: [String]
    }

    func run() throws {
        try Failure.report(json: outputOptions.json) {
            // The XML, every attached file and the output are checked before the password is asked.
            let identities = try ([document] + attachments).compactMap(SignedDocumentOutputs.identity(of:))
            let target = try outputs.outputs(for: [document], suffix: "-signed", inputs: identities)[0]
            let bytes = try InputFiles.bytes(document, what: "an XML document", limit: 64 << 20)
            do { try XMLSignature.checkSignable(bytes, elementID: id) } catch let error as XMLSignatureError {
                throw InputError.invalid("\(terminalSafe(document)): \(error)")
            }
            let files = attachments.map { XMLAttachment(name: URL(fileURLWithPath: $0).lastPathComponent, file: URL(fileURLWithPath: $0)) }
            let signed = try signing.withSigner { signer in
                do {
                    return try XMLSignature.sign(bytes, elementID: id, attachments: files, with: signer)
                } catch let error as XMLSignatureError {
                    throw InputError.invalid("\(terminalSafe(document)): \(error)")
                }
            }
            try target.write(signed)
            if outputOptions.json {
                try Output.json(Signed(input: document, output: target.path, element: id, attachments: attachments))
            } else {
                Output.line("signed \(terminalSafe(document)) → \(terminalSafe(target.path)) (#\(id)\(attachments.isEmpty ? "" : " and \(attachments.count) file\(attachments.count == 1 ? "" : "s")"))")
            }
        }
    }
}
