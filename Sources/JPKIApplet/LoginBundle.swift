import Foundation
import _CryptoExtras
import X509

/// Proof that the holder of a card answered a challenge: the authentication certificate and its
/// key's signature (SHA-256, PKCS#1 v1.5) over the challenge bytes; beside them, copies of the certificate's
/// serial number and マイキーID, which the same signature proves (``LoginVerifier`` checks that they are the
/// certificate's). Made by `mynacard jpki login`, checked by ``LoginVerifier`` — a small, self-contained
/// version of what JPKI login services do.
public struct LoginBundle: Codable, Equatable, Sendable {
    /// The signature algorithm of today's cards (RSA keys): what ``algorithm`` says for them.
    public static let algorithmName = SignatureAlgorithm.rsaPKCS1v15(.sha256).name

    /// The algorithms a bundle may name: RSA PKCS#1 v1.5 or ECDSA (the next card generation), with SHA-2.
    public static let acceptedAlgorithms: [SignatureAlgorithm] = JPKIHashAlgorithm.allCases.flatMap { [.rsaPKCS1v15($0), .ecdsa($0)] }

    /// The bundle format version (1).
    public var version: Int
    /// The authentication certificate, DER in base64.
    public var certificate: String
    /// The signature over the challenge, base64.
    public var signature: String
    /// The signature algorithm's name: ``algorithmName`` for RSA keys, e.g. `ecdsa-with-SHA384` for a P-384 key.
    public var algorithm: String
    /// The challenge that was signed, base64.
    public var challenge: String
    /// The certificate's serial number, upper-case hex (a linkable identifier: personal data).
    public var serial: String
    /// The マイキーID: the certificate's subject common name (a linkable identifier: personal data). Absent when
    /// the common name does not have the マイキーID's shape, and in bundles made before this field existed.
    public var myKeyID: String?

    /// Builds a bundle from its parts; `algorithm` is how the key signed.
    public init(certificate: JPKICertificate, signature: [UInt8], challenge: [UInt8],
                algorithm: SignatureAlgorithm = .rsaPKCS1v15(.sha256)) {
        version = 1
        self.certificate = Data(certificate.der).base64EncodedString()
        self.signature = Data(signature).base64EncodedString()
        self.algorithm = algorithm.name
        self.challenge = Data(challenge).base64EncodedString()
        serial = certificate.serialHex
        myKeyID = (try? MyKeyID(certificate: certificate.certificate))?.commonName
    }
}

extension JPKISigner {
    /// Signs `challenge` and bundles the signature with the signer's certificate: a login bundle, when the signer
    /// was opened on the authentication key (a relying party refuses a login by any other key). The signature is
    /// checked against the certificate before it is used, as every signature of the signer is.
    public func login(challenge: [UInt8]) throws -> LoginBundle {
        let algorithm = try self.algorithm
        let signature = try sign(algorithm.hash.hash(challenge))
        return LoginBundle(certificate: signerCertificate, signature: signature, challenge: challenge, algorithm: algorithm)
    }
}

/// What a login check proved: the identifiers of the authentication certificate whose key signed the challenge.
public struct LoginProof: Equatable, Sendable {
    /// The authentication certificate's serial number, upper-case hex.
    public var serialHex: String
    /// The same in decimal.
    public var serialDecimal: String
    /// The マイキーID in the certificate's subject, when it has the expected shape.
    public var myKeyID: MyKeyID?
    /// The certificate's subject.
    public var subject: String
    /// The end of the certificate's validity.
    public var notValidAfter: Date
    /// The trusted CA that issued the certificate.
    public var issuer: TrustAnchor
}

/// Why a login bundle was rejected, in plain language.
public enum LoginRejection: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case unsupportedAlgorithm(String)
    case challengeMismatch
    case badSignature
    /// The bundle's `serial` field is not the certificate's serial number (it was edited).
    case serialMismatch(bundle: String, certificate: String)
    /// The bundle's `myKeyID` field is not the certificate's common name (it was edited).
    case myKeyIDMismatch
    /// The certificate does not chain to a trusted CA, or it or its CA is not fit for a login at the date checked.
    case untrusted(TrustFailure)

    public var description: String {
        switch self {
        case .malformed(let why): "the bundle is malformed: \(why)"
        case .unsupportedAlgorithm(let name):
            "the bundle uses the algorithm \(name); accepted are \(LoginBundle.acceptedAlgorithms.map(\.name).joined(separator: ", "))"
        case .challengeMismatch: "the bundle answers a different challenge than the one expected (a replay?)"
        case .badSignature: "the signature over the challenge does not match the certificate's key"
        case .serialMismatch(let bundle, let certificate):
            "the bundle's serial field (\(bundle)) is not the certificate's serial number (\(certificate)): the bundle was edited"
        case .myKeyIDMismatch: "the bundle's myKeyID field is not the certificate's common name: the bundle was edited"
        case .untrusted(let failure): "the certificate is not trusted for a login: \(failure)"
        }
    }
}

/// Checks login bundles against trusted CAs, the way a relying party would.
public struct LoginVerifier: Sendable {
    /// The CAs that may have issued the authentication certificate.
    public let trustStore: TrustStore

    /// Creates a verifier trusting the CAs in `trustStore` (by default the built-in J-LIS CAs).
    public init(trustStore: TrustStore = .jlis) { self.trustStore = trustStore }

    /// Checks the bundle's signature over its challenge, that its serial and マイキーID fields are the
    /// certificate's, that a trusted CA valid at `date` issued the certificate, that the certificate is valid
    /// at `date` and is an authentication certificate, and, when given, that it answers `expectedChallenge`.
    /// - Throws: ``LoginRejection`` with the reason.
    public func verify(_ bundle: LoginBundle, expectedChallenge: [UInt8]? = nil, at date: Date = Date()) throws -> LoginProof {
        guard bundle.version == 1 else { throw LoginRejection.malformed("version \(bundle.version) is not supported") }
        guard let algorithm = LoginBundle.acceptedAlgorithms.first(where: { $0.name == bundle.algorithm }) else {
            throw LoginRejection.unsupportedAlgorithm(bundle.algorithm)
        }
        guard let der = Data(base64Encoded: bundle.certificate), let signature = Data(base64Encoded: bundle.signature),
              let challenge = Data(base64Encoded: bundle.challenge) else {
            throw LoginRejection.malformed("certificate, signature and challenge must be base64")
        }
        let certificate: JPKICertificate
        do { certificate = try JPKICertificate(kind: .authentication, der: Array(der)) } catch {
            throw LoginRejection.malformed("the certificate is not an X.509 certificate")
        }
        if let expectedChallenge, Array(challenge) != expectedChallenge { throw LoginRejection.challengeMismatch }
        let digest = algorithm.hash.hash(challenge)
        guard certificate.certificate.publicKey.check(Array(signature), over: digest, as: algorithm) == .matches else {
            throw LoginRejection.badSignature
        }
        guard bundle.serial.uppercased() == certificate.serialHex else {
            throw LoginRejection.serialMismatch(bundle: bundle.serial, certificate: certificate.serialHex)
        }
        let myKeyID = try? MyKeyID(certificate: certificate.certificate)
        if let claimed = bundle.myKeyID, claimed != myKeyID?.commonName { throw LoginRejection.myKeyIDMismatch }
        let anchor: TrustAnchor
        switch trustStore.issuer(of: certificate.certificate, for: .login, at: date) {
        case .success(let issuer): anchor = issuer
        case .failure(let failure): throw LoginRejection.untrusted(failure)
        }
        let parsed = certificate.certificate
        return LoginProof(serialHex: certificate.serialHex, serialDecimal: certificate.serialDecimal, myKeyID: myKeyID,
                          subject: parsed.subject.description, notValidAfter: parsed.notValidAfter, issuer: anchor)
    }
}
