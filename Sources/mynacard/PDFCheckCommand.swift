import ArgumentParser
import Foundation
import JPKIApplet
import KenmenAP
import PDFSignature

/// `mynacard pdf check FILE`: every signature of a PDF against the 法務局's requirements.
struct PDFCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "List a PDF's signatures and check each against the 法務局's requirements (exit 0 only when all pass).",
        discussion: """
            For each signature: the signer, /M, the bytes it covers and whether that is the whole file, and point \
            by point: /Type /Sig, /SubFilter /adbe.pkcs7.detached, /Name, /M, a /ByteRange that covers everything \
            but the signature up to the end of its revision, a detached CMS with the signer's certificate and the \
            signed attributes, the digest and the signature (RSA or ECDSA), that a trusted CA issued the certificate \
            (the J-LIS CAs built into mynacard, or --ca) and that both were valid at the signing time the signature \
            claims (or --at); and that nothing follows the last signature. Revocation is not checked. The signer's \
            name and common name are masked unless --reveal. Exit 0 when everything passes, 6 when only the \
            certificate's trust fails, 1 otherwise. See docs/pdf-signatures.md.
            """
    )

    @Argument(help: "The signed PDF.")
    var file: String

    @Flag(name: .long, help: "Show the signer's name (/Name) and the certificate's common name instead of masking them.")
    var reveal = false

    @OptionGroup var trust: TrustOptions
    @OptionGroup var outputOptions: OutputOptions

    struct Report: Encodable {
        struct Requirement: Encodable {
            var id: String
            var requirement: String
            var passed: Bool
            var detail: String
        }
        struct Signature: Encodable {
            var field: String
            var name: String?
            var signingTime: String?
            var signer: String?
            var algorithm: String?
            var byteRange: [Int]
            var coveredBytes: Int
            var coversWholeFile: Bool
            var passed: Bool
            var requirements: [Requirement]
        }
        var file: String
        var fileBytes: Int
        var passed: Bool
        var signatures: [Signature]
    }

    func run() throws {
        try Failure.report(json: outputOptions.json) {
            let store = try trust.trustStore()
            let fixedDate = try trust.at.map(TrustOptions.parseDate)
            let bytes = try InputFiles.bytes(file, what: "a signed PDF", limit: PDFSignCommand.largestPDF)
            let reports: [PDFSignatureReport]
            do { reports = try PDFFile(bytes: bytes).signatureReports() } catch let error as PDFError {
                throw InputError.invalid("\(terminalSafe(file)): \(error)")
            }
            let signatures = reports.map { report -> Report.Signature in
                var requirements = report.requirements.map { Report.Requirement(id: $0.id, requirement: $0.requirement, passed: $0.passed, detail: $0.detail) }
                // The certificate's validity is judged at the signing time the signature claims, unless --at says otherwise.
                let date = fixedDate ?? report.cms?.signingTime ?? report.signingTime ?? Date()
                let verdict = trust.documentSignerVerdict(report.signerCertificate, store: store, at: date)
                let trusted = Report.Requirement(id: "certificate", requirement: "a trusted CA issued the signer's certificate, both valid at the signing time",
                                                 passed: verdict.passed, detail: verdict.detail)
                // Keep "nothing after the last signature" last.
                let position = requirements.firstIndex { $0.id == "nothing-after" } ?? requirements.count
                requirements.insert(trusted, at: position)
                return Report.Signature(field: report.fieldName, name: report.name.map { reveal ? $0 : BasicInfo.mask(name: $0) },
                                        signingTime: report.signingTimeText,
                                        signer: report.signerCertificate.map { subjectText($0, reveal: reveal) },
                                        algorithm: report.cms?.signatureAlgorithm.name,
                                        byteRange: report.byteRange, coveredBytes: report.coveredBytes, coversWholeFile: report.coversWholeFile,
                                        passed: requirements.allSatisfy(\.passed), requirements: requirements)
            }
            let passed = !signatures.isEmpty && signatures.allSatisfy(\.passed)
            let report = Report(file: file, fileBytes: bytes.count, passed: passed, signatures: signatures)
            if outputOptions.json {
                try Output.json(report)
            } else {
                print(report)
            }
            let failed = Set(signatures.flatMap { $0.requirements.filter { !$0.passed }.map(\.id) })
            if failed == ["certificate"] { throw UntrustedResult(description: "\(file): a signer's certificate is not trusted") }
            if !passed {
                throw NegativeResult(description: signatures.isEmpty ? "\(file) has no signatures" : "\(file) does not meet every requirement")
            }
        }
    }

    private func print(_ report: Report) {
        Output.line("\(report.file): \(report.signatures.count) signature\(report.signatures.count == 1 ? "" : "s"), \(report.fileBytes) bytes")
        for (index, signature) in report.signatures.enumerated() {
            Output.line("")
            Output.line("\(index + 1). \(signature.field): \(signature.name ?? "(no /Name)"), signed \(signature.signingTime ?? "(no /M)")")
            Output.line("   signer:  \(signature.signer ?? "(no certificate)")\(signature.algorithm.map { ", \($0)" } ?? "")")
            Output.line("   covers:  \(signature.coveredBytes) bytes" + (signature.coversWholeFile ? ", the whole file" : ", not the whole file (a later revision follows)"))
            for requirement in signature.requirements {
                Output.line("   \(requirement.passed ? "pass" : "FAIL")  \(requirement.id.padding(toLength: 17, withPad: " ", startingAt: 0)) \(requirement.detail)")
            }
        }
        Output.line("")
        if report.signatures.isEmpty {
            Output.line("FAILED: the file has no signatures")
        } else {
            Output.line(report.passed ? "all requirements met" : "FAILED: not every requirement is met")
        }
    }
}
