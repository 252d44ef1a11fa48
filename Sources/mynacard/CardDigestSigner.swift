import ArgumentParser
import CardSession
import Foundation
import JPKIApplet
import X509

/// The card as a ``DigestSigner`` for the document formats: a JPKI session whose key's PIN is verified,
/// with the key's certificate and issuing CA read once. Every signature is checked against the certificate
/// before it is used. (Stand-in for JPKIApplet's batch signer while that is being built.)
struct CardDigestSigner: DigestSigner {
    let session: JPKISession
    let key: JPKIKey
    let certificate: Certificate
    let chain: [Certificate]

    /// Reads `key`'s certificate and its CA's from the card; the key's PIN must be verified already.
    init(session: JPKISession, key: JPKIKey) throws {
        self.session = session
        self.key = key
        certificate = try session.certificate(key.certificate).certificate
        chain = [try session.certificate(key == .authentication ? .authenticationCA : .signingCA).certificate]
    }

    func sign(_ digest: ComputedDigest) throws -> [UInt8] {
        let signature = try session.sign(digest, with: key)
        guard try algorithm.isValid(signature: signature, for: digest, by: certificate.publicKey) else {
            throw CardSessionError.malformedData("the card's signature does not verify with the \(key.certificate.displayName)")
        }
        return signature
    }
}

/// The card key that signs documents and how the card is reached: what `pdf sign` and `xml sign` share,
/// and the one place that wires the card into the document formats.
struct CardSigningOptions: ParsableArguments {
    @Option(name: .long, help: "Which key signs: sign (the signing password; the default, what the 法務局 and e-Gov expect) or auth.")
    var key: JPKIKey = .signing

    @Flag(name: .long, help: "Do not print the note about the personal data in the signature certificate.")
    var quiet = false

    @OptionGroup var card: CardOptions
    @OptionGroup var pinInput: PINInputOptions

    /// Prints the privacy note (signing key, unless --quiet), verifies the key's PIN once, and runs `body` with
    /// the card as a ``DigestSigner``, all in one card session. Call it after everything else has been checked.
    func withSigner<T>(_ body: (CardDigestSigner) throws -> T) throws -> T {
        PrivacyNotice.beforeSigning(with: key, quiet: quiet)
        let pinReader = pinInput.makeReader()
        return try withCard(card) { transport in
            let jpki = try JPKISession(transport: transport)
            try jpki.verify(key.pin, force: pinInput.force) { try pinReader.read(key.pin, force: pinInput.force, on: transport) }
            return try body(try CardDigestSigner(session: jpki, key: key))
        }
    }
}
