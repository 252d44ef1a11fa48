import ArgumentParser
import CardSession
import Foundation
import JPKIApplet
import X509

/// The card key that signs documents and how the card is reached: what `pdf sign` and `xml sign` share,
/// and the one place that wires the card into the document formats.
struct CardSigningOptions: ParsableArguments {
    @Option(name: .long, help: "Which key signs: sign (the signing password; the default, what the 法務局 and e-Gov expect) or auth.")
    var key: JPKIKey = .signing

    @Flag(name: .long, help: "Do not print the note about the personal data in the signature certificate.")
    var quiet = false

    @OptionGroup var card: CardOptions
    @OptionGroup var pinInput: PINInputOptions

    /// Prints the privacy note (signing key, unless --quiet), and runs `body` with the card as a ``DigestSigner``
    /// (``JPKISigner``: the key's PIN verified once, its certificate and issuing CA read, every signature checked
    /// against the certificate), all in one card session. Call it after everything else has been checked.
    func withSigner<T>(_ body: (JPKISigner) throws -> T) throws -> T {
        PrivacyNotice.beforeSigning(with: key, quiet: quiet)
        let pinReader = pinInput.makeReader()
        return try withCard(card) { session in
            let signer = try JPKISigner(session: session, key: key, includeChain: true, force: pinInput.force,
                                        entry: pinReader.entry(force: pinInput.force))
            defer { signer.finish() }
            return try body(signer)
        }
    }
}
