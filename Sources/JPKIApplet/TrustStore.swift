import APDU
import Crypto
import Foundation
import SwiftASN1
import X509

/// A CA certificate that a relying party trusts to issue JPKI certificates.
public struct TrustAnchor: Equatable, Sendable {
    /// The CA certificate.
    public let certificate: Certificate
    /// Its DER encoding.
    public let der: [UInt8]
    /// Which key's certificates it issues, when known (the built-in J-LIS CAs); `nil` for a CA given by the user.
    public let issues: JPKIKey?
    /// A short name for messages, e.g. "J-LIS authentication CA (2023)", or the subject of a CA given by the user.
    public let label: String

    /// The SHA-256 fingerprint of ``der``, upper-case hex.
    public var sha256Fingerprint: String { Array(SHA256.hash(data: der)).hexString }

    /// A CA given by the user: its purpose is unknown and its label is its subject.
    public init(der: [UInt8]) throws {
        self.init(certificate: try Certificate(derEncoded: der), der: der, issues: nil, label: nil)
    }

    /// A CA given by the user as a parsed certificate.
    public init(_ certificate: Certificate) throws {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        self.init(certificate: certificate, der: serializer.serializedBytes, issues: nil, label: nil)
    }

    init(certificate: Certificate, der: [UInt8], issues: JPKIKey?, label: String?) {
        self.certificate = certificate
        self.der = der
        self.issues = issues
        self.label = label ?? certificate.subject.description
    }
}

/// What a certificate must be fit for.
public enum CertificateUse: Sendable {
    /// Answering a login challenge: an authentication certificate (keyUsage digitalSignature, no nonRepudiation).
    case login
    /// Signing a document: keyUsage digitalSignature or nonRepudiation.
    case documentSigning
}

/// Why a certificate is not trusted, in plain language.
public enum TrustFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// No trusted CA both bears the certificate's issuer name and verifies its signature.
    case noTrustedIssuer(issuer: String)
    /// The issuing CA's own certificate is not valid at the date checked.
    case issuerNotValid(label: String, validity: CertificateValidity)
    /// The issuing CA's certificate does not allow it to issue certificates.
    case issuerNotACA(label: String)
    /// The certificate itself is not valid at the date checked.
    case notValid(CertificateValidity)
    /// The certificate's key usage does not fit the use.
    case keyUsage(String)

    public var description: String {
        let dates = ISO8601DateFormatter()
        func period(_ validity: CertificateValidity) -> String {
            switch validity {
            case .valid: "was valid"
            case .notYetValid(let start): "was not yet valid (from \(dates.string(from: start)))"
            case .expired(let end): "had expired (on \(dates.string(from: end)))"
            }
        }
        return switch self {
        case .noTrustedIssuer(let issuer): "no trusted CA issued it (its issuer is \(issuer))"
        case .issuerNotValid(let label, let validity): "its issuer \(label) \(period(validity)) at the date checked"
        case .issuerNotACA(let label): "its issuer \(label) is not allowed to issue certificates (basicConstraints/keyUsage)"
        case .notValid(let validity): "the certificate \(period(validity)) at the date checked"
        case .keyUsage(let why): why
        }
    }
}

/// The CA certificates a relying party trusts, and the check of one certificate against them.
///
/// Several generations of a J-LIS CA share one distinguished name, so the issuer is found by name **and**
/// signature: every anchor with the certificate's issuer name is tried, and the one whose key verifies the
/// certificate's signature is its issuer. Its own validity at the checked date and its right to issue
/// certificates are then checked, then the certificate's validity and key usage.
public struct TrustStore: Sendable {
    /// The trusted CAs.
    public let anchors: [TrustAnchor]

    /// A store of the given anchors.
    public init(anchors: [TrustAnchor]) { self.anchors = anchors }

    /// The J-LIS JPKI CAs built into mynacard (every generation of the authentication and signature CAs;
    /// see docs/card-facts.md for each one's fingerprint and source).
    public static let jlis = TrustStore(anchors: JLISCertificates.all.compactMap(\.anchor))

    /// Checks that a trusted CA issued `certificate` and that both are fit for `use` at `date`.
    /// - Returns: the issuing anchor.
    public func issuer(of certificate: Certificate, for use: CertificateUse, at date: Date) -> Result<TrustAnchor, TrustFailure> {
        guard let anchor = anchors.first(where: { certificate.isIssued(by: $0.certificate) }) else {
            return .failure(.noTrustedIssuer(issuer: certificate.issuer.description))
        }
        let caValidity = anchor.certificate.validity(at: date)
        guard caValidity == .valid else { return .failure(.issuerNotValid(label: anchor.label, validity: caValidity)) }
        guard anchor.certificate.mayIssueCertificates else { return .failure(.issuerNotACA(label: anchor.label)) }
        let validity = certificate.validity(at: date)
        guard validity == .valid else { return .failure(.notValid(validity)) }
        if let problem = certificate.keyUsageProblem(for: use) { return .failure(.keyUsage(problem)) }
        return .success(anchor)
    }
}

extension Certificate {
    /// Whether this CA certificate may issue certificates: basicConstraints CA, and keyCertSign when keyUsage is present.
    var mayIssueCertificates: Bool {
        guard case .isCertificateAuthority = try? extensions.basicConstraints else { return false }
        guard let usage = try? extensions.keyUsage else { return extensions[oid: .X509ExtensionID.keyUsage] == nil }
        return usage.keyCertSign
    }

    /// Why this certificate's key usage does not fit `use`, or `nil` when it does.
    /// JPKI certificates always carry keyUsage (docs/card-facts.md): authentication digitalSignature,
    /// signature digitalSignature + nonRepudiation.
    public func keyUsageProblem(for use: CertificateUse) -> String? {
        let usage: KeyUsage?
        do { usage = try extensions.keyUsage } catch { return "its keyUsage extension cannot be read" }
        guard let usage else { return "it has no keyUsage extension, which every JPKI certificate carries" }
        switch use {
        case .login:
            if usage.nonRepudiation {
                return "it is a signature certificate (keyUsage nonRepudiation): a login must be signed with the authentication key"
            }
            if !usage.digitalSignature { return "its keyUsage does not allow digital signatures" }
        case .documentSigning:
            if !usage.digitalSignature && !usage.nonRepudiation { return "its keyUsage does not allow signatures" }
        }
        return nil
    }
}
