import Foundation
import _CryptoExtras
import X509

/// Proof that the holder of a card answered a challenge: the authentication certificate and its
/// key's signature (SHA-256, PKCS#1 v1.5) over the challenge bytes. Made by `mynacard jpki login`,
/// checked by ``LoginVerifier`` — a small, self-contained version of what JPKI login services do.
public struct LoginBundle: Codable, Equatable, Sendable {
    /// The only signature algorithm bundles use.
    public static let algorithmName = "sha256WithRSAEncryption"

    /// The bundle format version (1).
    public var version: Int
    /// The authentication certificate, DER in base64.
    public var certificate: String
    /// The signature over the challenge, base64.
    public var signature: String
    /// Always ``algorithmName``.
    public var algorithm: String
    /// The challenge that was signed, base64.
    public var challenge: String
    /// The certificate's serial number, upper-case hex (a linkable identifier: personal data).
    public var serial: String

    /// Builds a bundle from its parts.
    public init(certificate: JPKICertificate, signature: [UInt8], challenge: [UInt8]) {
        version = 1
        self.certificate = Data(certificate.der).base64EncodedString()
        self.signature = Data(signature).base64EncodedString()
        algorithm = Self.algorithmName
        self.challenge = Data(challenge).base64EncodedString()
        serial = certificate.serialHex
    }
}

extension JPKISession {
    /// Signs `challenge` with the authentication key and bundles it with the authentication certificate.
    /// The authentication PIN must have been verified in this session.
    public func login(challenge: [UInt8]) throws -> LoginBundle {
        let certificate = try certificate(.authentication)
        let signature = try sign(JPKIHashAlgorithm.sha256.hash(challenge), with: .authentication)
        return LoginBundle(certificate: certificate, signature: signature, challenge: challenge)
    }
}

/// What a login check proved.
public struct LoginProof: Equatable, Sendable {
    /// The authentication certificate's serial number, upper-case hex.
    public var serialHex: String
    /// The same in decimal.
    public var serialDecimal: String
    /// The certificate's subject.
    public var subject: String
    /// The end of the certificate's validity.
    public var notValidAfter: Date
}

/// Why a login bundle was rejected, in plain language.
public enum LoginRejection: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case unsupportedAlgorithm(String)
    case challengeMismatch
    case badSignature
    case notIssuedByCA(issuer: String)
    case notYetValid(Date)
    case expired(Date)

    public var description: String {
        switch self {
        case .malformed(let why): "the bundle is malformed: \(why)"
        case .unsupportedAlgorithm(let name): "the bundle uses the algorithm \(name); only \(LoginBundle.algorithmName) is accepted"
        case .challengeMismatch: "the bundle answers a different challenge than the one expected (a replay?)"
        case .badSignature: "the signature over the challenge does not match the certificate's key"
        case .notIssuedByCA(let issuer): "the certificate was not issued by the given CA (its issuer is \(issuer))"
        case .notYetValid(let date): "the certificate is not valid before \(ISO8601DateFormatter().string(from: date))"
        case .expired(let date): "the certificate expired on \(ISO8601DateFormatter().string(from: date))"
        }
    }
}

/// Checks login bundles against a CA certificate, the way a relying party would.
public struct LoginVerifier: Sendable {
    /// The CA that must have issued the authentication certificate.
    public let ca: Certificate

    /// Creates a verifier trusting `ca`.
    public init(ca: Certificate) { self.ca = ca }

    /// Checks the bundle's signature, its certificate's issuer signature and validity at `date`, and,
    /// when given, that it answers `expectedChallenge`.
    /// - Throws: ``LoginRejection`` with the reason.
    public func verify(_ bundle: LoginBundle, expectedChallenge: [UInt8]? = nil, at date: Date = Date()) throws -> LoginProof {
        guard bundle.version == 1 else { throw LoginRejection.malformed("version \(bundle.version) is not supported") }
        guard bundle.algorithm == LoginBundle.algorithmName else { throw LoginRejection.unsupportedAlgorithm(bundle.algorithm) }
        guard let der = Data(base64Encoded: bundle.certificate), let signature = Data(base64Encoded: bundle.signature),
              let challenge = Data(base64Encoded: bundle.challenge) else {
            throw LoginRejection.malformed("certificate, signature and challenge must be base64")
        }
        let certificate: JPKICertificate
        do { certificate = try JPKICertificate(kind: .authentication, der: Array(der)) } catch {
            throw LoginRejection.malformed("the certificate is not an X.509 certificate")
        }
        if let expectedChallenge, Array(challenge) != expectedChallenge { throw LoginRejection.challengeMismatch }
        let digest = JPKIHashAlgorithm.sha256.hash(challenge)
        guard RawSignature.verify(signature: Array(signature), contentDigest: digest, certificate: certificate.certificate).isValid else {
            throw LoginRejection.badSignature
        }
        let parsed = certificate.certificate
        guard parsed.isIssued(by: ca) else { throw LoginRejection.notIssuedByCA(issuer: parsed.issuer.description) }
        switch parsed.validity(at: date) {
        case .valid: break
        case .notYetValid(let start): throw LoginRejection.notYetValid(start)
        case .expired(let end): throw LoginRejection.expired(end)
        }
        return LoginProof(serialHex: certificate.serialHex, serialDecimal: certificate.serialDecimal,
                          subject: parsed.subject.description, notValidAfter: parsed.notValidAfter)
    }
}
