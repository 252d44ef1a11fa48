import ArgumentParser
import Foundation
import JPKIApplet
import SwiftASN1
import X509

/// Which CAs a relying party trusts, and at what time certificates are checked.
struct TrustOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A trusted CA certificate: PEM or DER, or a PEM file holding several. Repeat for more. "
            + "Default: the J-LIS JPKI CAs built into mynacard (every generation).",
        valueName: "file"))
    var ca: [String] = []

    @Option(name: .long, help: ArgumentHelp("Check validity at this time (ISO 8601, e.g. 2027-01-01 or 2027-01-01T00:00:00Z; default now).",
                                            valueName: "date"))
    var at: String?

    /// Whether CAs were given with `--ca` (else the built-in J-LIS CAs are trusted).
    var givenCAs: Bool { !ca.isEmpty }

    /// The CAs given with `--ca`, or the built-in J-LIS CAs.
    func trustStore() throws -> TrustStore {
        guard givenCAs else { return .jlis }
        return TrustStore(anchors: try ca.flatMap(Self.certificates))
    }

    /// The time to check validity at.
    func date() throws -> Date {
        try at.map(Self.parseDate) ?? Date()
    }

    /// Every certificate in a PEM file (one or several CERTIFICATE blocks) or a DER file.
    static func certificates(_ path: String) throws -> [TrustAnchor] {
        let bytes = try InputFiles.bytes(path, what: "a CA certificate")
        do {
            if let text = String(bytes: bytes, encoding: .utf8), text.contains("-----BEGIN") {
                let documents = try PEMDocument.parseMultiple(pemString: text).filter { $0.discriminator == "CERTIFICATE" }
                guard !documents.isEmpty else { throw InputError.invalid("no CERTIFICATE block") }
                return try documents.map { try TrustAnchor(der: $0.derBytes) }
            }
            return [try TrustAnchor(der: bytes)]
        } catch {
            throw InputError.invalid("\(terminalSafe(path)) is not an X.509 certificate in PEM or DER form (nor a PEM file of several)"
                + (InputFiles.describeContent(bytes).map { ": it looks like \($0)" } ?? ""))
        }
    }

    static func parseDate(_ text: String) throws -> Date {
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let date = day.date(from: text) { return date }
        throw InputError.invalid("--at takes an ISO 8601 date such as 2027-01-01 or 2027-01-01T09:00:00Z, not \(text)")
    }
}

/// The trusted CA that vouched for a certificate, as reports show it.
struct AnchorReport: Encodable {
    var label: String
    var subject: String
    var sha256Fingerprint: String

    init(_ anchor: TrustAnchor) {
        label = anchor.label
        subject = anchor.certificate.subject.description
        sha256Fingerprint = anchor.sha256Fingerprint
    }
}

/// A verification that ran and found the signature matching a certificate that no trusted CA vouches for
/// (exit 6). Its report has been written already.
struct UntrustedResult: Error, CustomStringConvertible {
    var description: String
}
