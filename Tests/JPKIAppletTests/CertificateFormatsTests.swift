import Crypto
import Foundation
import JPKIApplet
import SwiftASN1
import Testing
import X509
import _CryptoExtras

/// A TEST signature certificate whose subjectAltName holds `values` (by the last OID arc, 1–6) as UTF8Strings.
func certificateWithHolder(_ values: [UInt: String]) throws -> Certificate {
    let key = P256.Signing.PrivateKey()
    let names = try values.sorted { $0.key < $1.key }.map { arc, text in
        GeneralName.otherName(GeneralName.OtherName(typeID: try ASN1ObjectIdentifier(elements: [1, 2, 392, 200149, 8, 5, 5, arc]),
                                        value: try ASN1Any(erasing: ASN1UTF8String(text))))
    }
    let name = try DistinguishedName { CommonName("TEST") }
    return try Certificate(version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
                           notValidBefore: Date(timeIntervalSince1970: 0), notValidAfter: Date(timeIntervalSince1970: 2_000_000_000),
                           issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                           extensions: try Certificate.Extensions { SubjectAlternativeNames(names) }, issuerPrivateKey: .init(key))
}

@Suite("The signature certificate's holder data and key formats")
struct CertificateFormatsTests {
    @Test("the 4 basic info and the 代替文字 flags are read from the subjectAltName's otherNames")
    func holderFromSubjectAltName() throws {
        let certificate = try certificateWithHolder([1: "髙橋　花子", 2: "10000", 3: "2", 4: "519990731",
                                                     5: "大阪府テスト市見本１", 6: "0000000010"])
        let holder = try #require(SignatureCertificateHolder(certificate: certificate))
        #expect(holder.name == "髙橋　花子")
        #expect(holder.substitutedNamePositions == [1])
        #expect(holder.sex == "female")
        #expect(holder.birthEra == "令和")
        #expect(holder.birthDate == "1999-07-31")
        #expect(holder.address == "大阪府テスト市見本１")
        #expect(holder.substitutedAddressPositions == [9])
        #expect(!"\(holder)".contains("花子"), "descriptions never show the data")
    }

    @Test("an unknown era, an odd date and a certificate without the OIDs are handled, not trapped on")
    func unusualHolders() throws {
        let odd = try #require(SignatureCertificateHolder(certificate: try certificateWithHolder([3: "3", 4: "0ABC"])))
        #expect(odd.birthEra == nil)
        #expect(odd.birthDate == nil)
        #expect(odd.sex == "unknown")
        #expect(odd.name == nil)
        #expect(SignatureCertificateHolder(certificate: try certificateWithHolder([:])) == nil)
    }

    @Test("an RSA key becomes an ssh-rsa line: string type, mpint e, mpint n with a leading zero when the high bit is set")
    func sshRSA() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let line = try OpenSSHPublicKey.line(for: Certificate.PublicKey(key.publicKey), comment: "test")
        let parts = line.split(separator: " ")
        #expect(parts.count == 3 && parts[0] == "ssh-rsa" && parts[2] == "test")
        let blob = try #require(Data(base64Encoded: String(parts[1])).map(Array.init))
        #expect(Array(blob.prefix(11)) == [0, 0, 0, 7] + Array("ssh-rsa".utf8))
        #expect(Array(blob[11..<18]) == [0, 0, 0, 3, 0x01, 0x00, 0x01])  // e = 65537
        #expect(Array(blob[18..<23]) == [0, 0, 1, 1, 0])  // n: 256 bytes with its high bit set, so 257 with a zero first
        #expect(blob.count == 23 + 256)
    }

    @Test("a P-384 key (the next card generation) becomes an ecdsa-sha2-nistp384 line with its uncompressed point")
    func sshECDSA() throws {
        let key = P384.Signing.PrivateKey()
        let line = try OpenSSHPublicKey.line(for: Certificate.PublicKey(key.publicKey), comment: "")
        #expect(line.hasPrefix("ecdsa-sha2-nistp384 "))
        let blob = try #require(Data(base64Encoded: String(line.split(separator: " ")[1])).map(Array.init))
        let point = Array(key.publicKey.x963Representation)
        #expect(Array(blob.suffix(point.count)) == point)
        #expect(Array(blob[23..<35]) == [0, 0, 0, 8] + Array("nistp384".utf8))
    }
}
