import APDU
import CardSession
import Crypto
import Foundation
import X509
import _CryptoExtras

/// Whether data read from the card is what the issuer signed.
public enum AuthenticityResult: Equatable, Sendable, CustomStringConvertible {
    /// The data matches hashes signed by a key that the given root certified.
    case genuine
    /// Something does not match: the data was changed, or the signature or certificate is not valid.
    case notGenuine(reason: String)
    /// The check could not be finished (e.g. no root key); `reason` says what was still checked.
    case cannotCheck(reason: String)

    /// `genuine`, `not-genuine` or `cannot-check`, for scripts.
    public var code: String {
        switch self {
        case .genuine: "genuine"
        case .notGenuine: "not-genuine"
        case .cannotCheck: "cannot-check"
        }
    }

    /// The reason, when there is one.
    public var reason: String? {
        switch self {
        case .genuine: nil
        case .notGenuine(let reason), .cannotCheck(let reason): reason
        }
    }

    public var description: String {
        switch self {
        case .genuine: "genuine"
        case .notGenuine(let reason): "NOT genuine: \(reason)"
        case .cannotCheck(let reason): "cannot be checked: \(reason)"
        }
    }
}

/// Every step of the text applet's authenticity check, and the verdict.
public struct TextAuthenticityReport: Sendable {
    /// DF31 equals SHA-256 of EF 0001 (all 17 bytes).
    public let myNumberHashMatches: Bool
    /// DF32 equals SHA-256 of EF 0002 after the DF21 table.
    public let basicInfoHashMatches: Bool
    /// DF33 is a valid signature over DF31‖DF32 by the key in the CV certificate (EF 0004).
    public let signatureMatchesCardKey: Bool
    /// The CV certificate is signed by the root key; `nil` when there was no root key to check with.
    public let certificateSignedByRoot: Bool?
    /// The root key ID the CV certificate names (e.g. `5000033` on real cards).
    public let issuerKeyID: String
    /// Which root key was used: the given one, the built-in J-LIS root the card names, or none.
    public let rootSource: RootKeySource
    /// The verdict.
    public let result: AuthenticityResult

    /// Checks the text applet's data against EF 0003 and EF 0004, and EF 0004 against `root` when given, else
    /// against the built-in J-LIS root the certificate names (``CVRootKey/jlis``).
    /// - Parameters:
    ///   - myNumberFile: EF 0001 as stored (17 bytes).
    ///   - basicInfo: the parsed EF 0002.
    ///   - signatureFile: EF 0003.
    ///   - certificate: the parsed EF 0004.
    public init(myNumberFile: [UInt8], basicInfo: BasicInfo, signatureFile: [UInt8], certificate: CVCertificate,
                root: _RSA.Signing.PublicKey?) throws {
        func bad(_ why: String) -> CardSessionError { .malformedData("the authenticity file (EF 0003) \(why)") }
        let inner = try constructedContents(of: signatureFile, tag: 0xFF30, bad: bad)
        guard let myNumberHash = inner.first(tag: 0xDF31), let basicInfoHash = inner.first(tag: 0xDF32),
              let signature = inner.first(tag: 0xDF33) else { throw bad("lacks DF31, DF32 or DF33") }
        myNumberHashMatches = Array(SHA256.hash(data: myNumberFile)) == myNumberHash.value
        basicInfoHashMatches = Array(SHA256.hash(data: basicInfo.signedBytes)) == basicInfoHash.value
        signatureMatchesCardKey = verifyPKCS1SHA256(signature.value, over: myNumberHash.encoded + basicInfoHash.encoded,
                                                    with: certificate.publicKey)
        let (rootKey, source) = RootKeySource.resolve(given: root, for: certificate)
        certificateSignedByRoot = rootKey.map { certificate.isSigned(by: $0) }
        issuerKeyID = certificate.issuerKeyIDText
        rootSource = source

        var problems: [String] = []
        if !myNumberHashMatches { problems.append("the My Number does not match its signed hash (DF31)") }
        if !basicInfoHashMatches { problems.append("the name, address, birth date or sex do not match their signed hash (DF32)") }
        if !signatureMatchesCardKey { problems.append("the signature (DF33) does not verify with the card's certified key") }
        if certificateSignedByRoot == false { problems.append(source.notSignedProblem(issuerKeyID: issuerKeyID)) }
        if !problems.isEmpty {
            result = .notGenuine(reason: problems.joined(separator: "; "))
        } else if certificateSignedByRoot == nil {
            result = .cannotCheck(reason: RootKeySource.missingRootReason(issuerKeyID: issuerKeyID)
                + "; the data does match its signed hashes and the signature verifies with the card's own key, "
                + "but without the root key that key cannot be trusted")
        } else {
            result = .genuine
        }
    }
}

/// Reads an RSA root public key from PEM: a certificate, a `PUBLIC KEY` or an `RSA PUBLIC KEY`.
public func rootPublicKey(pem: String) throws -> _RSA.Signing.PublicKey {
    guard pem.contains("-----BEGIN") else { throw RootKeyError.unreadable("it has no -----BEGIN line") }
    if pem.contains("BEGIN CERTIFICATE") {
        let certificate: Certificate
        do { certificate = try Certificate(pemEncoded: pem) } catch { throw RootKeyError.unreadable("its certificate cannot be parsed") }
        guard let key = _RSA.Signing.PublicKey(certificate.publicKey) else { throw RootKeyError.notRSA }
        return key
    }
    do { return try _RSA.Signing.PublicKey(pemRepresentation: pem) } catch {
        throw RootKeyError.unreadable("its PUBLIC KEY or RSA PUBLIC KEY block holds no usable RSA key")
    }
}

/// Why a root key could not be used.
public enum RootKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(String)
    case notRSA

    public var description: String {
        switch self {
        case .unreadable(let why): "the root key is not a PEM certificate or RSA public key: \(why)"
        case .notRSA: "the root key is not an RSA key"
        }
    }
}
