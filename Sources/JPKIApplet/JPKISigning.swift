import Foundation
import _CryptoExtras
import X509

extension JPKISession {
    /// Has the card sign a digest made on the host (PKCS#1 v1.5 over its DigestInfo).
    /// The key's PIN must have been verified in this session.
    public func sign(_ digest: ComputedDigest, with key: JPKIKey) throws -> [UInt8] {
        try sign(digestInfo: digest.digestInfo, with: key)
    }
}

/// Checks of plain PKCS#1 v1.5 signatures, as `jpki sign` writes them, without the card.
public enum RawSignature {
    /// Whether `signature` signs content whose digest is `contentDigest`, with the key in `certificate`.
    public static func verify(signature: [UInt8], contentDigest: ComputedDigest, certificate: Certificate) -> SignatureVerdict {
        switch certificate.publicKey.check(signature, over: contentDigest) {
        case .matches: return .valid
        case .unsupportedKey(let key): return .invalid("the certificate holds a key this tool cannot check (\(key))")
        case .doesNotMatch: break
        }
        return .invalid("the signature does not match this content with this certificate's key "
            + "(the file was changed, the signature was made by another key, or with another --hash than \(contentDigest.algorithm.rawValue))")
    }
}
