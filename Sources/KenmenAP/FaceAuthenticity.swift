import Crypto
import _CryptoExtras

/// Every step of the card face's authenticity check, and the verdict.
///
/// The card face's DF28 is one PKCS#1 v1.5 signature over a SHA-256 DigestInfo holding three hashes:
/// of DF22‖DF23‖DF24 (birth date, sex, card key), of DF25‖DF26 (name and address images) and of DF27
/// (the photo). The expiry date and the security-code image come after the signature and are not covered.
/// Source: docs/card-facts.md (one source; the emulator's fixtures are made the same way).
public struct FaceAuthenticityReport: Sendable {
    /// DF28 verifies with the key in the card-face CV certificate (EF 0004) over the current data.
    public let signatureMatchesCardKey: Bool
    /// The CV certificate is signed by the root key; `nil` when there was no root key to check with.
    public let certificateSignedByRoot: Bool?
    /// The root key ID the CV certificate names.
    public let issuerKeyID: String
    /// Which root key was used: the given one, the built-in J-LIS root the card names, or none.
    public let rootSource: RootKeySource
    /// The verdict.
    public let result: AuthenticityResult

    /// Checks `face` with `certificate`'s key, and `certificate` with `root` when given, else with the built-in
    /// J-LIS root the certificate names (``CVRootKey/jlis``).
    public init(face: CardFace, certificate: CVCertificate, root: _RSA.Signing.PublicKey?) {
        let hashes = face.signedGroups.flatMap { Array(SHA256.hash(data: $0)) }
        signatureMatchesCardKey = verifyPKCS1(signature: face.signature, digestInfo: sha256DigestInfo(wrapping: hashes),
                                              key: certificate.publicKey)
        let (rootKey, source) = RootKeySource.resolve(given: root, for: certificate)
        certificateSignedByRoot = rootKey.map { certificate.isSigned(by: $0) }
        issuerKeyID = certificate.issuerKeyIDText
        rootSource = source
        var problems: [String] = []
        if !signatureMatchesCardKey {
            problems.append("the photo, the name and address images or the birth date and sex do not match the signature (DF28)")
        }
        if certificateSignedByRoot == false { problems.append(source.notSignedProblem(issuerKeyID: issuerKeyID)) }
        if !problems.isEmpty {
            result = .notGenuine(reason: problems.joined(separator: "; "))
        } else if certificateSignedByRoot == nil {
            result = .cannotCheck(reason: RootKeySource.missingRootReason(issuerKeyID: issuerKeyID)
                + "; the card face matches its signature by the card's own key, but without the root key that key cannot be trusted")
        } else {
            result = .genuine
        }
    }
}
