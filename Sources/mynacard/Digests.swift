import APDU
import Crypto

/// SHA-256 of `bytes` as upper-case hex.
func sha256Hex(_ bytes: [UInt8]) -> String {
    Array(SHA256.hash(data: bytes)).hexString
}
