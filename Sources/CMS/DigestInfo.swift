import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1

/// The hash functions a JPKI signature can be made over (RSASSA-PKCS1-v1_5, RFC 8017 §9.2).
public enum JPKIHashAlgorithm: String, CaseIterable, Sendable, Codable {
    case sha256, sha384, sha512

    /// The hash's object identifier (id-sha256 etc., RFC 8017 appendix B.1).
    public var oid: ASN1ObjectIdentifier {
        switch self {
        case .sha256: [2, 16, 840, 1, 101, 3, 4, 2, 1]
        case .sha384: [2, 16, 840, 1, 101, 3, 4, 2, 2]
        case .sha512: [2, 16, 840, 1, 101, 3, 4, 2, 3]
        }
    }

    /// The matching `shaNNNWithRSAEncryption` signature algorithm identifier (RFC 8017 appendix C).
    public var rsaSignatureOID: ASN1ObjectIdentifier {
        switch self {
        case .sha256: [1, 2, 840, 113549, 1, 1, 11]
        case .sha384: [1, 2, 840, 113549, 1, 1, 12]
        case .sha512: [1, 2, 840, 113549, 1, 1, 13]
        }
    }

    /// The signature algorithm's usual name, e.g. `sha256WithRSAEncryption`.
    public var rsaSignatureName: String { "\(rawValue)WithRSAEncryption" }

    /// The digest length in bytes.
    public var digestLength: Int {
        switch self {
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    /// The fixed DER prefix of a DigestInfo for this hash (RFC 8017 §9.2, note 1).
    public var digestInfoPrefix: [UInt8] {
        switch self {
        case .sha256: [0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]
        case .sha384: [0x30, 0x41, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30]
        case .sha512: [0x30, 0x51, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40]
        }
    }

    /// Hashes `bytes` in one go.
    public func hash(_ bytes: some DataProtocol) -> ComputedDigest {
        var hasher = StreamingHasher(self)
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Hashes a file or stream in chunks, never holding more than `chunkSize` bytes of it in memory.
    /// - Parameter progress: called after each chunk with the number of bytes hashed so far.
    public func hash(reading handle: FileHandle, chunkSize: Int = 1 << 20, progress: ((UInt64) -> Void)? = nil) throws -> ComputedDigest {
        var hasher = StreamingHasher(self)
        var total: UInt64 = 0
        while let chunk = try handle.read(upToCount: chunkSize), !chunk.isEmpty {
            hasher.update(chunk)
            total += UInt64(chunk.count)
            progress?(total)
        }
        return hasher.finalize()
    }
}

/// A hash computed incrementally, so that multi-gigabyte files are never loaded whole.
public struct StreamingHasher {
    private enum State {
        case sha256(SHA256)
        case sha384(SHA384)
        case sha512(SHA512)
    }

    private var state: State

    /// Starts hashing with `algorithm`.
    public init(_ algorithm: JPKIHashAlgorithm) {
        switch algorithm {
        case .sha256: state = .sha256(SHA256())
        case .sha384: state = .sha384(SHA384())
        case .sha512: state = .sha512(SHA512())
        }
    }

    /// Adds `bytes` to the hash.
    public mutating func update(_ bytes: some DataProtocol) {
        switch state {
        case .sha256(var hasher): hasher.update(data: bytes); state = .sha256(hasher)
        case .sha384(var hasher): hasher.update(data: bytes); state = .sha384(hasher)
        case .sha512(var hasher): hasher.update(data: bytes); state = .sha512(hasher)
        }
    }

    /// The digest of everything added.
    public func finalize() -> ComputedDigest {
        switch state {
        case .sha256(let hasher): .sha256(hasher.finalize())
        case .sha384(let hasher): .sha384(hasher.finalize())
        case .sha512(let hasher): .sha512(hasher.finalize())
        }
    }
}

/// A finished digest, kept as swift-crypto's typed value so signatures can be checked against it.
public enum ComputedDigest: Sendable, Equatable {
    case sha256(SHA256Digest)
    case sha384(SHA384Digest)
    case sha512(SHA512Digest)

    /// Which hash made it.
    public var algorithm: JPKIHashAlgorithm {
        switch self {
        case .sha256: .sha256
        case .sha384: .sha384
        case .sha512: .sha512
        }
    }

    /// The digest bytes.
    public var bytes: [UInt8] {
        switch self {
        case .sha256(let digest): Array(digest)
        case .sha384(let digest): Array(digest)
        case .sha512(let digest): Array(digest)
        }
    }

    /// The DER DigestInfo the card signs: the algorithm's fixed prefix followed by the digest.
    public var digestInfo: [UInt8] { algorithm.digestInfoPrefix + bytes }

    /// Whether `signature` is an RSASSA-PKCS1-v1_5 signature of this digest by `publicKey`.
    public func isSigned(by publicKey: _RSA.Signing.PublicKey, signature: [UInt8]) -> Bool {
        let signature = _RSA.Signing.RSASignature(rawRepresentation: signature)
        switch self {
        case .sha256(let digest): return publicKey.isValidSignature(signature, for: digest, padding: .insecurePKCS1v1_5)
        case .sha384(let digest): return publicKey.isValidSignature(signature, for: digest, padding: .insecurePKCS1v1_5)
        case .sha512(let digest): return publicKey.isValidSignature(signature, for: digest, padding: .insecurePKCS1v1_5)
        }
    }
}
