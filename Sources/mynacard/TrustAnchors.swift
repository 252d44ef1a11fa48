import ArgumentParser
import Foundation
import JPKIApplet
import X509

/// CA certificates trusted for a check (`--ca`, repeatable).
struct TrustAnchorOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A trusted CA certificate (PEM or DER) that must have issued the signer's certificate; repeat for several.", valueName: "file"))
    var ca: [String] = []

    /// The certificates named by `--ca`.
    func load() throws -> [Certificate] { try ca.map(InputFiles.certificate) }
}

/// Whether `signer` was issued by one of `anchors` (directly, or through one of `intermediates` that an
/// anchor issued) and was valid at `date`; the reason when not.
func trustVerdict(signer: Certificate, intermediates: [Certificate], anchors: [Certificate], at date: Date?) -> (passed: Bool, detail: String) {
    guard !anchors.isEmpty else { return (false, "no trusted CA given: pass the issuing CA with --ca") }
    let issuer = anchors.first { signer.isIssued(by: $0) }
        ?? intermediates.first { candidate in signer.isIssued(by: candidate) && anchors.contains { candidate.isIssued(by: $0) } }
    guard let issuer else { return (false, "the certificate was not issued by a trusted CA (its issuer is \(signer.issuer))") }
    guard let date else { return (true, "issued by \(issuer.subject)") }
    switch signer.validity(at: date) {
    case .valid: return (true, "issued by \(issuer.subject), valid at the signing time")
    case .notYetValid(let start): return (false, "the certificate was not yet valid at the signing time (valid from \(ISO8601DateFormatter().string(from: start)))")
    case .expired(let end): return (false, "the certificate had expired at the signing time (valid until \(ISO8601DateFormatter().string(from: end)))")
    }
}
