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
