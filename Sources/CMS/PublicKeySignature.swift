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
    /// The scheme follows from the key (``SignatureAlgorithm/verifying(with:hash:)``, the one place that
    /// knows the key kinds): RSA keys (current cards) as RSASSA-PKCS1-v1_5 over the digest's DigestInfo,
    /// EC keys (P-256, P-384 as announced for the next card, P-521) as ECDSA. When the format names the
    /// algorithm (`stated`, as a CMS SignerInfo does), a key of another kind does not match it.
    public func check(_ signature: [UInt8], over digest: ComputedDigest, as stated: SignatureAlgorithm? = nil) -> KeySignatureCheck {
        guard let algorithm = SignatureAlgorithm.verifying(with: self, hash: digest.algorithm) else { return .unsupportedKey("\(self)") }
        if let stated, stated != algorithm { return .doesNotMatch }
        return algorithm.isValid(signature: signature, for: digest, by: self) ? .matches : .doesNotMatch
    }
}
