import X509

/// The signing side as document formats see it: a private key kept elsewhere (on a card, or a test key)
/// that signs digests, and the certificates that go with it. A format takes one of these and never
/// learns where the key lives, so it can be tested without a card.
public protocol DigestSigner {
    /// The certificate of the signing key.
    var certificate: Certificate { get }
    /// Further certificates to embed with a signature (the issuing CA first); may be empty.
    var chain: [Certificate] { get }
    /// Signs `digest`, which the caller made over the bytes its format signs, and returns the signature
    /// value (for an RSA key: PKCS#1 v1.5 over the digest's DigestInfo). Implementations check the
    /// signature against ``certificate`` before returning it.
    func sign(_ digest: ComputedDigest) throws -> [UInt8]
}
