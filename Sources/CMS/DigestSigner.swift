import X509

/// The signing side as document formats see it: a private key kept elsewhere (on a card, or a test key)
/// that signs digests, and the certificates that go with it. A format takes one of these and never
/// learns where the key lives, so it can be tested without a card.
public protocol DigestSigner {
    /// The certificate of the signing key.
    var certificate: Certificate { get }
    /// Further certificates to embed with a signature (the issuing CA first); may be empty.
    var chain: [Certificate] { get }
    /// How the key signs, and so which hash a format must make the digest with. The default follows
    /// from ``certificate``'s key (``SignatureAlgorithm/init(signingWith:rsaHash:)``).
    var algorithm: SignatureAlgorithm { get throws }
    /// Signs `digest`, which the caller made over the bytes its format signs, and returns the signature
    /// value (for an RSA key: PKCS#1 v1.5 over the digest's DigestInfo; for an EC key: the DER
    /// `ECDSA-Sig-Value`). Implementations check the signature against ``certificate`` before returning it.
    func sign(_ digest: ComputedDigest) throws -> [UInt8]
}

extension DigestSigner {
    /// The algorithm of ``certificate``'s key: RSA PKCS#1 v1.5 with SHA-256, or ECDSA with the curve's hash.
    public var algorithm: SignatureAlgorithm {
        get throws { try SignatureAlgorithm(signingWith: certificate.publicKey) }
    }
}
