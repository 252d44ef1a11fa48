import APDU
import CardSession
import Crypto
import _CryptoExtras

/// A card-verifiable certificate from EF 0004 of the text or card-face applet:
/// `7F21 { 5F4E body, 5F37 signature }`, body = issuer key ID (16) ‖ subject key ID (16) ‖ `90` e `91` n.
/// It certifies the key that signed the applet's data; an off-card J-LIS root key signed it.
public struct CVCertificate: Sendable {
    /// The 16-byte ID of the root key that signed this certificate.
    public let issuerKeyID: [UInt8]
    /// The 16-byte ID of the certified key.
    public let subjectKeyID: [UInt8]
    /// The certified RSA public key.
    public let publicKey: _RSA.Signing.PublicKey
    /// The signed body (the value of 5F4E).
    public let body: [UInt8]
    /// The root's PKCS#1 v1.5 SHA-256 signature over ``body``.
    public let signature: [UInt8]

    /// Parses EF 0004's content.
    public init(der bytes: [UInt8]) throws {
        func bad(_ why: String) -> CardSessionError { .malformedData("the CV certificate (EF 0004) \(why)") }
        let inner = try constructedContents(of: bytes, tag: 0x7F21, bad: bad)
        guard let body = inner.first(tag: 0x5F4E), let signature = inner.first(tag: 0x5F37) else { throw bad("lacks 5F4E or 5F37") }
        guard body.value.count > 32 else { throw bad("has a body too short for two key IDs") }
        let key: [TLV]
        do { key = try TLV.parseAll(body.value.dropFirst(32)) } catch { throw bad("has a malformed key: \(error)") }
        guard let e = key.first(tag: 0x90), let n = key.first(tag: 0x91) else { throw bad("has no 90/91 RSA key") }
        do {
            publicKey = try _RSA.Signing.PublicKey(n: n.value, e: e.value)
        } catch { throw bad("holds an unusable RSA key: \(error)") }
        issuerKeyID = Array(body.value.prefix(16))
        subjectKeyID = Array(body.value[16..<32])
        self.body = body.value
        self.signature = signature.value
    }

    /// Whether `root` signed this certificate.
    public func isSigned(by root: _RSA.Signing.PublicKey) -> Bool {
        verifyPKCS1SHA256(signature, over: body, with: root)
    }

    /// The issuer key ID as text where it is printable (e.g. `5000033…`), else hex.
    public var issuerKeyIDText: String { Self.keyIDText(issuerKeyID) }

    static func keyIDText(_ id: [UInt8]) -> String {
        let digits = id.prefix { (0x30...0x39).contains($0) }
        return digits.count >= 7 ? String(decoding: digits, as: UTF8.self) : id.hexString
    }
}

/// RSASSA-PKCS1-v1_5 with SHA-256.
func verifyPKCS1SHA256(_ signature: [UInt8], over data: [UInt8], with key: _RSA.Signing.PublicKey) -> Bool {
    key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
}
