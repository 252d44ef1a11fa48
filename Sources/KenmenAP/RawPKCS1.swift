import APDU
import BigInt
import Foundation
import _CryptoExtras

/// RSASSA-PKCS1-v1_5 verification over an arbitrary DigestInfo (RFC 8017 §8.2.2), for signatures whose
/// DigestInfo carries something other than one digest of its algorithm's size — the card face signs a
/// SHA-256 DigestInfo holding three SHA-256 hashes (96 bytes), which swift-crypto's typed API cannot express.
///
/// Only the public-key operation is done here (`s^e mod n`); the encoded message is then compared, whole,
/// with the expected `00 01 FF…FF 00 ‖ DigestInfo`.
func verifyPKCS1(signature: [UInt8], digestInfo: [UInt8], key: _RSA.Signing.PublicKey) -> Bool {
    guard let primitives = try? key.getKeyPrimitives() else { return false }
    let modulusBytes = [UInt8](primitives.modulus.drop { $0 == 0 })
    let k = modulusBytes.count
    guard signature.count == k, digestInfo.count <= k - 11 else { return false }
    let n = BigUInt(Data(modulusBytes))
    let s = BigUInt(Data(signature))
    guard s < n else { return false }
    let m = s.power(BigUInt(primitives.publicExponent), modulus: n)
    let encoded = [UInt8](m.serialize())
    guard encoded.count <= k else { return false }
    let message = [UInt8](repeating: 0, count: k - encoded.count) + encoded
    let expected = [0x00, 0x01] + [UInt8](repeating: 0xFF, count: k - 3 - digestInfo.count) + [0x00] + digestInfo
    return message == expected
}

/// A DER DigestInfo naming SHA-256 around `payload` (RFC 8017 §9.2), whatever the payload's length.
func sha256DigestInfo(wrapping payload: [UInt8]) -> [UInt8] {
    let sha256Algorithm: [UInt8] = [0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00]
    return TLV(tag: 0x30, value: sha256Algorithm + TLV(tag: 0x04, value: payload).encoded).encoded
}
