import APDU
import CardSession
import Foundation
import X509
import _CryptoExtras

/// Signs with one of the card's JPKI keys, for one document or a batch, as a ``DigestSigner``.
///
/// Opening it begins a card operation (``CardSession/beginOperation(verifying:force:entry:prepare:)``): the key's
/// certificate is read and the key's PIN verified once, through the PIN guard (the retry counter is read first;
/// a blocked PIN or the last try is refused; the PIN is asked for only when a try may be sent, with the card free
/// while it is typed). The operation — the card's transaction — stays open for the signatures until
/// ``finish()``, which logs the PIN out (or the signer goes away). A card that drops the key's security status
/// after a signature answers the next one with `69 82`, and the signer then verifies the accepted PIN again —
/// which the card has just accepted, so no try is put at risk — and signs once more. The PIN is never asked twice.
///
/// Every signature is checked before it is returned: it must be as long as the key's modulus and
/// verify with the certificate's public key (a faulty card, or a faulty RSA-CRT computation that
/// could leak the key, never gets its answer passed on).
public final class JPKISigner: DigestSigner {
    /// The key that signs.
    public let key: JPKIKey
    /// The key's certificate, as read from the card.
    public let signerCertificate: JPKICertificate
    /// The issuing CA's certificate, when the signer was opened with `includeChain`.
    public let chainCertificates: [JPKICertificate]
    /// The key's certificate (``DigestSigner``).
    public var certificate: Certificate { signerCertificate.certificate }
    /// Further certificates to embed (``DigestSigner``): the issuing CA when asked for.
    public var chain: [Certificate] { chainCertificates.map(\.certificate) }

    private let jpki: JPKISession
    private let operation: CardOperation
    private let publicKey: _RSA.Signing.PublicKey
    private let modulusLength: Int

    /// Opens a signer on the card behind `session`: selects the JPKI applet, reads `key`'s certificate (and with
    /// `includeChain` its CA's) and verifies the key's PIN from `entry`, only when a try may be sent.
    /// - Throws: ``CardSessionError/notIssued(_:)`` before any PIN is asked when the card was issued
    ///   without the key's certificate; the PIN guard's errors; ``CardSessionError/malformedData(_:)``
    ///   when the certificate holds no RSA key.
    public init(session: CardSession, key: JPKIKey, includeChain: Bool = false, force: Bool = false, entry: PINEntry) throws {
        self.key = key
        let jpki = try JPKISession(session: session, selected: true)
        // The signature certificate needs the signing password; the authentication certificate is free on
        // a card (read it first, so a card issued without it is told before any PIN), not on a smartphone.
        var certificate: JPKICertificate?
        let operation = try session.beginOperation(verifying: key.pin, force: force, entry: entry) {
            if key == .signing {
                try jpki.requireIssued(.signing)
            } else {
                do {
                    certificate = try jpki.certificate(.authentication)
                } catch CardSessionError.pinRequired {
                    certificate = nil
                } catch CardSessionError.card(let status, let during) where status == .fileNotFound {
                    try jpki.requireIssued(.authentication)
                    throw CardSessionError.card(status, during: during)
                }
            }
        }
        do {
            let signerCertificate = try certificate ?? jpki.certificate(key.certificate)
            guard let publicKey = _RSA.Signing.PublicKey(signerCertificate.certificate.publicKey) else {
                throw CardSessionError.malformedData("the \(key.certificate.displayName) does not hold an RSA key")
            }
            self.signerCertificate = signerCertificate
            self.publicKey = publicKey
            modulusLength = (publicKey.keySizeInBits + 7) / 8
            chainCertificates = includeChain ? [try jpki.certificate(key == .authentication ? .authenticationCA : .signingCA)] : []
        } catch {
            operation.end()
            throw error
        }
        self.jpki = jpki
        self.operation = operation
    }

    deinit { operation.end() }

    /// Ends the signer's card operation: the PIN is logged out on the card and forgotten here (its memory is
    /// wiped), and the card is free for other programs. Signing after this fails.
    public func finish() {
        operation.end()
    }

    /// Has the card sign `digest` (PKCS#1 v1.5 over its DigestInfo) and returns the signature once it is
    /// checked against the certificate's key.
    /// - Throws: ``CardSessionError/malformedData(_:)`` for an answer of the wrong length or one that does
    ///   not verify; ``CardSessionError/pinRequired(_:during:)`` when the card still refuses after the PIN.
    public func sign(_ digest: ComputedDigest) throws -> [UInt8] {
        let signature: [UInt8]
        do {
            signature = try jpki.sign(digestInfo: digest.digestInfo, with: key)
        } catch CardSessionError.pinRequired {
            // The card dropped the key's security status (after the previous signature): verify again, once.
            try verifyAgain()
            signature = try jpki.sign(digestInfo: digest.digestInfo, with: key)
        }
        guard signature.count == modulusLength else {
            throw CardSessionError.malformedData("the card answered the \(key.rawValue) key's signature with \(signature.count) bytes, "
                + "not the \(modulusLength) of its \(modulusLength * 8)-bit key; the answer was not used")
        }
        guard digest.isSigned(by: publicKey, signature: signature) else {
            throw CardSessionError.malformedData("the card's signature does not verify with the \(key.certificate.displayName)'s "
                + "public key; it was not used (the card or the reader may be faulty)")
        }
        return signature
    }

    /// Makes a detached CMS SignedData over content whose digest is `contentDigest`: the card signs the
    /// signed attributes, and the certificate (plus the chain, when asked for) travels in the result.
    public func signDetachedCMS(contentDigest: ComputedDigest, signingTime: Date = Date()) throws -> [UInt8] {
        try DetachedCMSSignature.sign(contentDigest: contentDigest, with: self, signingTime: signingTime)
    }

    /// VERIFY with the PIN the card accepted when the signer opened.
    private func verifyAgain() throws {
        guard let pin = operation.acceptedPIN else { throw CardSessionError.pinRequired(key.pin, during: "signing with the \(key.rawValue) key") }
        try jpki.session.sendVerify(pin, kind: key.pin)
    }
}
