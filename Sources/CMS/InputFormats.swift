import Foundation
import X509

/// A certificate as users keep it in a file: PEM (`-----BEGIN CERTIFICATE-----`) or DER.
public enum CertificateFile {
    /// Parses a certificate file's bytes: the first PEM certificate when there is a `-----BEGIN` line, else DER.
    /// - Throws: swift-certificates' error when they hold no certificate.
    public static func parse(_ bytes: [UInt8]) throws -> Certificate {
        if let text = String(bytes: bytes, encoding: .utf8), text.contains("-----BEGIN") {
            return try Certificate(pemEncoded: text)
        }
        return try Certificate(derEncoded: bytes)
    }
}

/// A signature file as `mynacard jpki sign` writes it: raw bytes, base64 text, or its JSON
/// (the `signature` field, and the `hash` it was made with).
public struct SignatureFile: Equatable, Sendable {
    /// The signature value.
    public let signature: [UInt8]
    /// The hash named in a JSON signature file.
    public let hash: JPKIHashAlgorithm?

    /// Reads a signature file's bytes; anything that is neither JSON nor base64 (PEM is not taken for base64)
    /// is taken as the raw signature.
    public init(_ bytes: [UInt8]) {
        if let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
           let text = object["signature"] as? String, let decoded = Data(base64Encoded: text) {
            signature = Array(decoded)
            hash = (object["hash"] as? String).flatMap(JPKIHashAlgorithm.init(rawValue:))
            return
        }
        hash = nil
        if let text = String(bytes: bytes, encoding: .ascii), !text.contains("-----BEGIN") {
            let compact = text.filter { !$0.isWhitespace }
            if !compact.isEmpty, let decoded = Data(base64Encoded: compact) {
                signature = Array(decoded)
                return
            }
        }
        signature = bytes
    }
}
