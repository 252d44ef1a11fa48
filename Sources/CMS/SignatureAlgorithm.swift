import Crypto
import _CryptoExtras
import SwiftASN1
import X509

/// How a key signs a digest: the one place that knows which key algorithms signatures are made and
/// checked with. Today's card holds RSA-2048 keys (PKCS#1 v1.5); the next card generation is announced
/// with ECDSA P-384 and SHA-384, which every verifying path already accepts.
public enum SignatureAlgorithm: Equatable, Hashable, Sendable {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2) over the digest's DigestInfo.
    case rsaPKCS1v15(JPKIHashAlgorithm)
    /// ECDSA (FIPS 186-4) over the digest; the signature value is the DER `ECDSA-Sig-Value` (RFC 5480).
    case ecdsa(JPKIHashAlgorithm)

    /// The algorithm a key in a certificate signs with: RSA keys use PKCS#1 v1.5 with `rsaHash` (SHA-256,
    /// which the 法務局 and e-Gov require); EC keys use ECDSA with the hash that matches the curve
    /// (P-256 SHA-256, P-384 SHA-384, P-521 SHA-512).
    /// - Throws: ``UnsupportedKeyError`` for any other key.
    public init(signingWith key: Certificate.PublicKey, rsaHash: JPKIHashAlgorithm = .sha256) throws {
        guard let kind = KeyKind(key) else { throw UnsupportedKeyError(key: "\(key)") }
        self = switch kind {
        case .rsa: .rsaPKCS1v15(rsaHash)
        case .ec(let curveHash): .ecdsa(curveHash)
        }
    }

    /// The kinds of key there are signatures for: RSA, or EC on a curve whose matching hash is given.
    private enum KeyKind {
        case rsa
        case ec(JPKIHashAlgorithm)

        init?(_ key: Certificate.PublicKey) {
            if _RSA.Signing.PublicKey(key) != nil { self = .rsa }
            else if P256.Signing.PublicKey(key) != nil { self = .ec(.sha256) }
            else if P384.Signing.PublicKey(key) != nil { self = .ec(.sha384) }
            else if P521.Signing.PublicKey(key) != nil { self = .ec(.sha512) }
            else { return nil }
        }
    }

    /// The hash the digest is made with.
    public var hash: JPKIHashAlgorithm {
        switch self {
        case .rsaPKCS1v15(let hash), .ecdsa(let hash): hash
        }
    }

    /// The usual name, e.g. `sha256WithRSAEncryption` or `ecdsa-with-SHA384`.
    public var name: String {
        switch self {
        case .rsaPKCS1v15(let hash): hash.rsaSignatureName
        case .ecdsa(let hash): "ecdsa-with-" + hash.rawValue.uppercased()
        }
    }

    // MARK: Identifiers in the formats

    static let rsaEncryptionOID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]

    /// The CMS SignerInfo's signatureAlgorithm: `rsaEncryption` for RSA (what most CMS producers write,
    /// RFC 3370 §3.2), `ecdsa-with-SHAnnn` for ECDSA (RFC 5753 §2.1.1).
    public var cmsSignatureOID: ASN1ObjectIdentifier {
        switch self {
        case .rsaPKCS1v15: Self.rsaEncryptionOID
        case .ecdsa(let hash): Self.ecdsaOID(hash)
        }
    }

    /// Whether the AlgorithmIdentifier carries NULL parameters (RSA) or none (ECDSA, RFC 5758 §3.2).
    public var cmsParametersAreNull: Bool {
        if case .rsaPKCS1v15 = self { return true }
        return false
    }

    private static func ecdsaOID(_ hash: JPKIHashAlgorithm) -> ASN1ObjectIdentifier {
        switch hash {
        case .sha256: [1, 2, 840, 10045, 4, 3, 2]
        case .sha384: [1, 2, 840, 10045, 4, 3, 3]
        case .sha512: [1, 2, 840, 10045, 4, 3, 4]
        }
    }

    /// The algorithm a CMS SignerInfo names, given its digestAlgorithm; `nil` when not supported.
    /// Accepts `rsaEncryption` and `shaNNNWithRSAEncryption` (both are in use) and `ecdsa-with-SHAnnn`.
    public init?(cmsSignatureOID oid: ASN1ObjectIdentifier, digest: JPKIHashAlgorithm) {
        if oid == Self.rsaEncryptionOID {
            self = .rsaPKCS1v15(digest)
        } else if let hash = JPKIHashAlgorithm.allCases.first(where: { $0.rsaSignatureOID == oid }) {
            self = .rsaPKCS1v15(hash)
        } else if let hash = JPKIHashAlgorithm.allCases.first(where: { Self.ecdsaOID($0) == oid }) {
            self = .ecdsa(hash)
        } else {
            return nil
        }
    }

    /// The XML Signature `SignatureMethod` URI (RFC 6931 §2.3).
    public var xmlSignatureMethod: String {
        switch self {
        case .rsaPKCS1v15(let hash): "http://www.w3.org/2001/04/xmldsig-more#rsa-" + hash.rawValue
        case .ecdsa(let hash): "http://www.w3.org/2001/04/xmldsig-more#ecdsa-" + hash.rawValue
        }
    }

    /// The algorithm an XML Signature `SignatureMethod` names; `nil` when not supported.
    public init?(xmlSignatureMethod uri: String) {
        for hash in JPKIHashAlgorithm.allCases {
            for candidate in [Self.rsaPKCS1v15(hash), .ecdsa(hash)] where candidate.xmlSignatureMethod == uri {
                self = candidate
                return
            }
        }
        return nil
    }

    /// The XML Signature `SignatureValue` for a signer's output: RSA as it is; ECDSA turned from DER
    /// `ECDSA-Sig-Value` into r‖s, each as long as the curve's order (RFC 6931 §2.3.6).
    public func xmlSignatureValue(fromSignerOutput signature: [UInt8], key: Certificate.PublicKey) throws -> [UInt8] {
        guard case .ecdsa = self else { return signature }
        if P256.Signing.PublicKey(key) != nil { return Array(try P256.Signing.ECDSASignature(derRepresentation: signature).rawRepresentation) }
        if P384.Signing.PublicKey(key) != nil { return Array(try P384.Signing.ECDSASignature(derRepresentation: signature).rawRepresentation) }
        if P521.Signing.PublicKey(key) != nil { return Array(try P521.Signing.ECDSASignature(derRepresentation: signature).rawRepresentation) }
        throw UnsupportedKeyError(key: "\(key)")
    }

    // MARK: Checking

    /// Whether `signature` is this algorithm's signature of `digest` by `key`. ECDSA signatures may be
    /// DER (`ECDSA-Sig-Value`, as CMS and X.509 carry them) or raw r‖s (as XML Signature carries them).
    public func isValid(signature: [UInt8], for digest: ComputedDigest, by key: Certificate.PublicKey) -> Bool {
        guard digest.algorithm == hash else { return false }
        switch self {
        case .rsaPKCS1v15:
            guard let rsa = _RSA.Signing.PublicKey(key) else { return false }
            return digest.isSigned(by: rsa, signature: signature)
        case .ecdsa:
            if let p256 = P256.Signing.PublicKey(key) {
                guard let value = (try? P256.Signing.ECDSASignature(derRepresentation: signature))
                    ?? (try? P256.Signing.ECDSASignature(rawRepresentation: signature)) else { return false }
                return digest.withDigest { p256.isValidSignature(value, for: $0) }
            }
            if let p384 = P384.Signing.PublicKey(key) {
                guard let value = (try? P384.Signing.ECDSASignature(derRepresentation: signature))
                    ?? (try? P384.Signing.ECDSASignature(rawRepresentation: signature)) else { return false }
                return digest.withDigest { p384.isValidSignature(value, for: $0) }
            }
            if let p521 = P521.Signing.PublicKey(key) {
                guard let value = (try? P521.Signing.ECDSASignature(derRepresentation: signature))
                    ?? (try? P521.Signing.ECDSASignature(rawRepresentation: signature)) else { return false }
                return digest.withDigest { p521.isValidSignature(value, for: $0) }
            }
            return false
        }
    }

    /// The algorithm a certificate's key implies, for checking a signature whose format does not name
    /// one (a bare signature file): RSA PKCS#1 v1.5 or ECDSA, with `hash`.
    public static func verifying(with key: Certificate.PublicKey, hash: JPKIHashAlgorithm) -> SignatureAlgorithm? {
        switch KeyKind(key) {
        case .rsa: .rsaPKCS1v15(hash)
        case .ec: .ecdsa(hash)
        case nil: nil
        }
    }
}

extension ComputedDigest {
    /// Calls `body` with the swift-crypto digest value, whatever its hash.
    func withDigest<T>(_ body: (any Digest) -> T) -> T {
        switch self {
        case .sha256(let digest): body(digest)
        case .sha384(let digest): body(digest)
        case .sha512(let digest): body(digest)
        }
    }
}

/// A key this tool cannot sign or verify with (neither RSA nor ECDSA on P-256, P-384 or P-521).
public struct UnsupportedKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The key, as swift-certificates describes it.
    public let key: String

    /// An error about `key`.
    public init(key: String) { self.key = key }
    public var description: String { "the certificate's key (\(key)) is neither RSA nor ECDSA on P-256, P-384 or P-521" }
}
