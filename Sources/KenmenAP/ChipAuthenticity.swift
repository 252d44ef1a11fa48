import APDU
import CardSession
import Crypto
import _CryptoExtras

/// Whether the chip in the reader is the card its data belongs to (internal authentication).
///
/// Signed data proves only that the files are what J-LIS signed: a copy of them on another chip passes that
/// check too. Each card-face and text applet also holds a card key whose public half the signed data names
/// (card face DF24, text EF 0007); its private half never leaves the chip. The chip signs a fresh random
/// challenge with it, without any PIN (`80 2A 00 00`), and the signature is checked with the named key: only
/// the chip the data was issued on can answer (docs/card-facts.md, "Internal authentication").
public struct ChipAuthenticityReport: Sendable {
    /// The chip's signature over the challenge verifies with the card key; `nil` when it was not checked.
    public let challengeSignatureVerifies: Bool?
    /// The verdict: `genuine`, `notGenuine` (the chip does not hold the card key), or `cannotCheck` (why not).
    public let result: AuthenticityResult

    init(challengeSignatureVerifies: Bool?, result: AuthenticityResult) {
        self.challengeSignatureVerifies = challengeSignatureVerifies
        self.result = result
    }

    /// Challenges the applet `session` has selected and checks the answer with `cardKey`, the key the applet's
    /// signed data names (and vouches for: the caller checks that first).
    /// - Throws: what the transport throws (a removed card); a card that refuses the challenge is a verdict, not an error.
    static func challenge(_ session: CardSession, cardKey: _RSA.Signing.PublicKey, where place: String) throws -> ChipAuthenticityReport {
        var generator = SystemRandomNumberGenerator()
        let challenge = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let digestInfo = sha256DigestInfo(wrapping: Array(SHA256.hash(data: challenge)))
        let response = try session.transport.transmit(.internalAuthenticate(digestInfo: digestInfo))
        guard response.statusWord.isSuccess else {
            return ChipAuthenticityReport(challengeSignatureVerifies: nil, result: .notGenuine(
                reason: "the chip refused to sign a challenge with its card key (\(response.statusWord.meaning), "
                    + "\([response.statusWord.sw1, response.statusWord.sw2].hexString)); a My Number card signs one without a PIN"))
        }
        let verifies = verifyPKCS1SHA256(response.data, over: challenge, with: cardKey)
        return ChipAuthenticityReport(challengeSignatureVerifies: verifies, result: verifies ? .genuine : .notGenuine(
            reason: "the chip's signature over a random challenge does not verify with the card key named in \(place): "
                + "the data was copied onto another chip"))
    }
}

/// An RSA public key as the card stores it: `90` exponent, `91` modulus (card face DF24/DF12/DF42, text DF51).
func cardPublicKey(_ value: [UInt8], in place: String) throws -> _RSA.Signing.PublicKey {
    let parts: [TLV]
    do { parts = try TLV.parseAll(value) } catch {
        throw CardSessionError.malformedData("the card key in \(place) is not TLV data: \(error)")
    }
    guard let e = parts.first(tag: 0x90), let n = parts.first(tag: 0x91) else {
        throw CardSessionError.malformedData("the card key in \(place) has no 90/91 RSA key")
    }
    do { return try _RSA.Signing.PublicKey(n: n.value, e: e.value) } catch {
        throw CardSessionError.malformedData("the card key in \(place) is not a usable RSA key: \(error)")
    }
}

/// The text applet's EF 0007: `FF50 { DF51 card public key (90/91), DF52 signature }`, DF52 being the data-signing
/// key's PKCS#1 v1.5 SHA-256 signature over the DF51 object (soltia48/myna-card; docs/card-facts.md).
public struct SignedCardKey: Sendable {
    /// DF51's value: the card key as `90` e, `91` n.
    public let publicKey: [UInt8]
    /// The DF51 object as stored, which DF52 signs.
    public let signedBytes: [UInt8]
    /// DF52.
    public let signature: [UInt8]

    /// Parses EF 0007.
    public init(file bytes: [UInt8]) throws {
        func bad(_ why: String) -> CardSessionError { .malformedData("the card key file (EF 0007) \(why)") }
        let inner = try constructedContents(of: bytes, tag: 0xFF50, bad: bad)
        guard let key = inner.first(tag: 0xDF51), let signature = inner.first(tag: 0xDF52) else { throw bad("lacks DF51 or DF52") }
        publicKey = key.value
        signedBytes = key.encoded
        self.signature = signature.value
    }

    /// Whether the key certified in `certificate` (EF 0004) signed this card key.
    public func isSigned(by certificate: CVCertificate) -> Bool {
        verifyPKCS1SHA256(signature, over: signedBytes, with: certificate.publicKey)
    }
}
