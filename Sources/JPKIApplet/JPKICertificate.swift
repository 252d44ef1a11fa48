import APDU
import CardSession
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// A certificate read from the JPKI applet: the bytes as stored and their parsed form.
public struct JPKICertificate: Sendable {
    /// Which certificate it is.
    public let kind: JPKICertificateKind
    /// The DER encoding, byte for byte as the card holds it.
    public let der: [UInt8]
    /// The parsed certificate.
    public let certificate: Certificate

    /// Parses `der`.
    /// - Throws: ``CardSessionError/malformedData(_:)`` when it is not an X.509 certificate.
    public init(kind: JPKICertificateKind, der: [UInt8]) throws {
        self.kind = kind
        self.der = der
        do {
            certificate = try Certificate(derEncoded: der)
        } catch {
            throw CardSessionError.malformedData("the \(kind.displayName) is not a valid X.509 certificate")
        }
    }

    /// The certificate in PEM form.
    public var pem: String {
        PEMDocument(type: "CERTIFICATE", derBytes: der).pemString + "\n"
    }

    /// The public key in words, e.g. "RSA 2048-bit".
    public var publicKeySummary: String {
        if let rsa = _RSA.Signing.PublicKey(certificate.publicKey) { return "RSA \(rsa.keySizeInBits)-bit" }
        return "\(certificate.publicKey)"
    }

    /// The serial number as upper-case hex, without leading zero bytes.
    public var serialHex: String {
        Array(certificate.serialNumber.bytes.drop { $0 == 0 }).hexString
    }

    /// The serial number in decimal.
    public var serialDecimal: String {
        decimalString(fromBigEndian: Array(certificate.serialNumber.bytes))
    }
}

/// Converts an unsigned big-endian integer of any size to decimal text.
public func decimalString(fromBigEndian bytes: [UInt8]) -> String {
    var number = Array(bytes.drop { $0 == 0 })
    if number.isEmpty { return "0" }
    var digits: [UInt8] = []
    while !number.isEmpty {
        var remainder = 0
        var quotient: [UInt8] = []
        for byte in number {
            let value = remainder << 8 | Int(byte)
            let digit = value / 10
            remainder = value % 10
            if !(quotient.isEmpty && digit == 0) { quotient.append(UInt8(digit)) }
        }
        digits.append(UInt8(remainder))
        number = quotient
    }
    return String(digits.reversed().map { Character(String($0)) })
}

/// Where a moment falls in a certificate's validity period.
public enum CertificateValidity: Equatable, Sendable {
    /// Within the period.
    case valid
    /// Before `notValidBefore`, given here.
    case notYetValid(Date)
    /// After `notValidAfter`, given here.
    case expired(Date)
}

extension Certificate {
    /// Whether `ca` issued this certificate: the issuer is `ca`'s subject, and `ca`'s key verifies its signature.
    public func isIssued(by ca: Certificate) -> Bool {
        issuer == ca.subject && ca.publicKey.isValidSignature(signature, for: self)
    }

    /// Where `date` falls in the validity period.
    public func validity(at date: Date) -> CertificateValidity {
        if date < notValidBefore { return .notYetValid(notValidBefore) }
        if date > notValidAfter { return .expired(notValidAfter) }
        return .valid
    }
}
