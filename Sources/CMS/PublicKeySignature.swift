import _CryptoExtras
import X509

/// The outcome of checking one signature value against one public key.
public enum KeySignatureCheck: Equatable, Sendable {
    /// The key made the signature over the digest.
    case matches
    /// It did not (another key, other data, or an altered signature).
    case doesNotMatch
    /// The key is of a kind this tool does not verify; the string names it.
    case unsupportedKey(String)
}

extension Certificate.PublicKey {
    /// Whether `signature` is this key's signature over `digest`.
    ///
    /// The one place that picks the signature scheme from the key: RSA keys (the only kind on current cards)
    /// are checked as RSASSA-PKCS1-v1_5 over the digest's DigestInfo. Other kinds are added here.
    public func check(_ signature: [UInt8], over digest: ComputedDigest) -> KeySignatureCheck {
        if let rsa = _RSA.Signing.PublicKey(self) {
            return digest.isSigned(by: rsa, signature: signature) ? .matches : .doesNotMatch
        }
        return .unsupportedKey("\(self)")
    }
}
