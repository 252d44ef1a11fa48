import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// A certificate's public key as an OpenSSH `authorized_keys` line (RFC 4253 §6.6 for RSA, RFC 5656 §3.1
/// for ECDSA): what `ssh-keygen -D opensc-pkcs11.so` prints for the card's authentication key.
public enum OpenSSHPublicKey {
    /// `ssh-rsa AAAA… comment` or `ecdsa-sha2-nistp384 AAAA… comment`.
    /// - Throws: ``UnsupportedKeyError`` for keys OpenSSH has no form for here.
    public static func line(for key: Certificate.PublicKey, comment: String) throws -> String {
        var blob: [UInt8] = []
        let type: String
        if let rsa = _RSA.Signing.PublicKey(key) {
            type = "ssh-rsa"
            let (modulus, exponent) = try rsaComponents(Array(rsa.pkcs1DERRepresentation))
            blob = string(Array(type.utf8)) + mpint(exponent) + mpint(modulus)
        } else if let (curve, point) = ecPoint(key) {
            type = "ecdsa-sha2-" + curve
            blob = string(Array(type.utf8)) + string(Array(curve.utf8)) + string(point)
        } else {
            throw UnsupportedKeyError(key: "\(key)")
        }
        return type + " " + Data(blob).base64EncodedString() + (comment.isEmpty ? "" : " " + comment)
    }

    private static func ecPoint(_ key: Certificate.PublicKey) -> (String, [UInt8])? {
        if let p256 = P256.Signing.PublicKey(key) { return ("nistp256", Array(p256.x963Representation)) }
        if let p384 = P384.Signing.PublicKey(key) { return ("nistp384", Array(p384.x963Representation)) }
        if let p521 = P521.Signing.PublicKey(key) { return ("nistp521", Array(p521.x963Representation)) }
        return nil
    }

    /// n and e from a PKCS#1 RSAPublicKey, SEQUENCE { modulus INTEGER, publicExponent INTEGER }.
    private static func rsaComponents(_ der: [UInt8]) throws -> ([UInt8], [UInt8]) {
        let root = try DER.parse(der)
        guard case .constructed(let nodes) = root.content else { throw UnsupportedKeyError(key: "an RSA key that is not PKCS#1") }
        let integers = Array(nodes)
        guard integers.count == 2, case .primitive(let modulus) = integers[0].content,
              case .primitive(let exponent) = integers[1].content else { throw UnsupportedKeyError(key: "an RSA key that is not PKCS#1") }
        return (Array(modulus), Array(exponent))
    }

    /// An SSH `string`: a 4-byte big-endian length and the bytes.
    private static func string(_ bytes: [UInt8]) -> [UInt8] {
        let count = UInt32(bytes.count)
        return [UInt8(count >> 24), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)] + bytes
    }

    /// An SSH `mpint` of a non-negative big-endian integer: no superfluous leading zeros, and one zero byte
    /// when the high bit would otherwise make it negative.
    private static func mpint(_ bytes: [UInt8]) -> [UInt8] {
        var value = Array(bytes.drop { $0 == 0 })
        if let first = value.first, first & 0x80 != 0 { value.insert(0, at: 0) }
        return string(value)
    }
}
