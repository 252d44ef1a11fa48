import ArgumentParser
import Foundation
import JPKIApplet
import XMLSignature

/// `mynacard xml verify kousei.xml`: check the XML Signatures in a document and the files they reference.
struct XMLVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the XML Signatures in a document (exit 0 only when all are valid and trusted).",
        discussion: """
            Checks each Signature: its SignedInfo against the certificate it carries (RSA or ECDSA), every \
            reference (the element by its ID; files by name, looked up next to the XML), and that a trusted CA (the \
            J-LIS CAs built into mynacard, or --ca) issued the certificate and both are valid at --at (default now). \
            Revocation is not checked. No card is needed. Exit 0 valid, 1 invalid, 6 valid but not trusted.
            """
    )

    @Argument(help: "The signed XML.")
    var document: String

    @Flag(name: .long, help: "Show the signer certificate's common name instead of masking it.")
    var reveal = false

    @OptionGroup var trust: TrustOptions
    @OptionGroup var outputOptions: OutputOptions

    struct Report: Encodable {
        struct Reference: Encodable {
            var target: String
            var matches: Bool
            var detail: String
        }
        struct Signature: Encodable {
            var id: String?
            var signer: String?
            var algorithm: String?
            var valid: Bool
            var trusted: Bool
            var trust: String
            var problems: [String]
            var references: [Reference]
        }
        var file: String
        var valid: Bool
        var signatures: [Signature]
    }

    func run() throws {
        try Failure.report(json: outputOptions.json) {
            let store = try trust.trustStore()
            let date = try trust.date()
            let bytes = try InputFiles.bytes(document, what: "an XML document", limit: 64 << 20)
            let folder = URL(fileURLWithPath: document).deletingLastPathComponent()
            let reports: [XMLSignatureReport]
            do {
                reports = try XMLSignature.verify(bytes) { name in
                    let url = folder.appendingPathComponent(name)
                    return FileManager.default.isReadableFile(atPath: url.path) ? XMLAttachment(name: name, file: url) : nil
                }
            } catch let error as XMLSignatureError {
                throw InputError.invalid("\(terminalSafe(document)): \(error)")
            }
            let signatures = reports.map { report in
                let verdict = trust.documentSignerVerdict(report.signerCertificate, store: store, at: date)
                let signer = report.signerCertificate.map { subjectText($0, reveal: reveal) }
                return Report.Signature(id: report.id, signer: signer, algorithm: report.algorithm?.name,
                                        valid: report.isValid, trusted: verdict.passed, trust: verdict.detail, problems: report.problems,
                                        references: report.references.map { Report.Reference(target: $0.target, matches: $0.matches, detail: $0.detail) })
            }
            let valid = !signatures.isEmpty && signatures.allSatisfy { $0.valid && $0.trusted }
            let report = Report(file: document, valid: valid, signatures: signatures)
            if outputOptions.json {
                try Output.json(report)
            } else {
                Output.line("\(document): \(signatures.count) signature\(signatures.count == 1 ? "" : "s")")
                for signature in signatures {
                    Output.line("")
                    Output.line("Signature \(signature.id ?? "(no Id)"): \(signature.signer ?? "(no certificate)")\(signature.algorithm.map { ", \($0)" } ?? "")")
                    for problem in signature.problems { Output.line("   FAIL  \(problem)") }
                    for reference in signature.references { Output.line("   \(reference.matches ? "pass" : "FAIL")  \(reference.target): \(reference.detail)") }
                    Output.line("   \(signature.trusted ? "pass" : "FAIL")  certificate: \(signature.trust)")
                }
                Output.line("")
                Output.line(valid ? "valid" : signatures.isEmpty ? "INVALID: the document has no XML Signature" : "INVALID: not every signature is valid and trusted")
            }
            if !valid && signatures.allSatisfy(\.valid) && !signatures.isEmpty {
                throw UntrustedResult(description: "\(document): a signer's certificate is not trusted")
            }
            if !valid { throw NegativeResult(description: "\(document) is not validly signed") }
        }
    }
}
