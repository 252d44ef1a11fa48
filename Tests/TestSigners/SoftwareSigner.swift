import CMS
import Crypto
import _CryptoExtras
import Foundation
import X509

/// A ``DigestSigner`` whose key is a file: what the document formats are tested with, instead of a card.
/// Loads the TEST keys of `fixtures/` (RSA, as on today's card) or EC keys made by openssl in a test.
public struct SoftwareSigner: DigestSigner {
    enum Key {
        case rsa(_RSA.Signing.PrivateKey)
        case p256(P256.Signing.PrivateKey)
        case p384(P384.Signing.PrivateKey)
        case p521(P521.Signing.PrivateKey)
    }

    public let certificate: Certificate
    public let chain: [Certificate]
    private let key: Key

    /// A signer from a private key (PKCS#1 or PKCS#8 DER, or PEM) and its certificate chain.
    public init(key bytes: [UInt8], certificate: Certificate, chain: [Certificate] = []) throws {
        self.certificate = certificate
        self.chain = chain
        let pem = String(decoding: bytes, as: UTF8.self)
        if pem.contains("-----BEGIN") {
            if let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) { self.key = .rsa(key) }
            else if let key = try? P256.Signing.PrivateKey(pemRepresentation: pem) { self.key = .p256(key) }
            else if let key = try? P384.Signing.PrivateKey(pemRepresentation: pem) { self.key = .p384(key) }
            else { self.key = .p521(try P521.Signing.PrivateKey(pemRepresentation: pem)) }
        } else {
            self.key = .rsa(try _RSA.Signing.PrivateKey(derRepresentation: bytes))
        }
    }

    /// The signing key and certificates of a profile in `fixtures/profiles` (default `healthy`):
    /// exactly what the emulated card signs with, chaining to `fixtures/ca/sign-ca.pem`.
    public static func fixture(profile: String = "healthy", key: String = "sign") throws -> SoftwareSigner {
        let folder = TestFiles.packageRoot.appendingPathComponent("fixtures/profiles/\(profile)/jpki")
        func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: folder.appendingPathComponent(name))) }
        return try SoftwareSigner(key: read("\(key)-key.der"), certificate: Certificate(derEncoded: read("\(key)-cert.der")),
                                  chain: [Certificate(derEncoded: read("\(key)-ca.der"))])
    }

    public func sign(_ digest: ComputedDigest) throws -> [UInt8] {
        let signature: [UInt8]
        switch key {
        case .rsa(let key):
            signature = switch digest {
            case .sha256(let d): Array(try key.signature(for: d, padding: .insecurePKCS1v1_5).rawRepresentation)
            case .sha384(let d): Array(try key.signature(for: d, padding: .insecurePKCS1v1_5).rawRepresentation)
            case .sha512(let d): Array(try key.signature(for: d, padding: .insecurePKCS1v1_5).rawRepresentation)
            }
        case .p256(let key): signature = try Self.ecdsa(digest) { Array(try key.signature(for: $0).derRepresentation) }
        case .p384(let key): signature = try Self.ecdsa(digest) { Array(try key.signature(for: $0).derRepresentation) }
        case .p521(let key): signature = try Self.ecdsa(digest) { Array(try key.signature(for: $0).derRepresentation) }
        }
        guard let algorithm = SignatureAlgorithm.verifying(with: certificate.publicKey, hash: digest.algorithm),
              algorithm.isValid(signature: signature, for: digest, by: certificate.publicKey) else {
            throw SoftwareSignerError("the key does not match the certificate")
        }
        return signature
    }

    private static func ecdsa(_ digest: ComputedDigest, _ sign: (any Digest) throws -> [UInt8]) throws -> [UInt8] {
        switch digest {
        case .sha256(let d): try sign(d)
        case .sha384(let d): try sign(d)
        case .sha512(let d): try sign(d)
        }
    }
}

struct SoftwareSignerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
