import APDU
import Crypto
import Foundation
import JPKIApplet
import SwiftASN1
import Testing
import X509

/// A CA and an end-entity certificate made on the spot (P-256, quick to make), for the chain rules.
struct MadeCA {
    let key = P256.Signing.PrivateKey()
    let certificate: Certificate

    static let name = try! DistinguishedName {
        CountryName("JP")
        OrganizationName("JPKI")
        OrganizationalUnitName("JPKI for user authentication")
    }

    init(from: String = "2019-01-01", until: String = "2040-01-01", isCA: Bool = true) throws {
        let extensions = try Certificate.Extensions {
            Critical(isCA ? BasicConstraints.isCertificateAuthority(maxPathLength: nil) : .notCertificateAuthority)
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
        }
        certificate = try Certificate(version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
                                      notValidBefore: day(from), notValidAfter: day(until), issuer: Self.name, subject: Self.name,
                                      signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions, issuerPrivateKey: .init(key))
    }

    /// An end-entity certificate issued by this CA with the given key usage.
    func issue(usage: KeyUsage?, from: String = "2025-04-01", until: String = "2030-03-31") throws -> Certificate {
        let holder = P256.Signing.PrivateKey()
        let extensions = try Certificate.Extensions {
            if let usage { Critical(usage) }
        }
        return try Certificate(version: .v3, serialNumber: .init(bytes: [0x6E, 0x8E, 0x94, 0x8D]), publicKey: .init(holder.publicKey),
                               notValidBefore: day(from), notValidAfter: day(until), issuer: Self.name,
                               subject: try DistinguishedName { CountryName("JP"); CommonName("IOH43BBTHJHUL813999001A") },
                               signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions, issuerPrivateKey: .init(key))
    }
}

func day(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withFullDate]
    return formatter.date(from: text)!
}

@Suite("The J-LIS trust store built into mynacard")
struct JLISTrustStoreTests {
    /// What J-LIS publishes for each generation, written down independently of the embedded bytes
    /// (fingerprints: docs/card-facts.md; serials and dates also in soltia48/myna-card `certs/README.md`).
    static let published: [(issues: JPKIKey, serialHex: String, notBefore: String, sha256: String)] = [
        (.authentication, "01", "2015-10-20", "4DCFC4CA0AAF9FB2A3081B3F0C991C320B3ACC008667A341EEAEC5AF1D58CA7D"),
        (.authentication, "06D18006", "2023-07-16", "64114F29620C24ED2631D46476A040E7EE740D956089C00B036A6A8118C322B5"),
        (.signing, "01", "2015-10-20", "19645405A1FE14377434BD55957628AC4038557C542403A2243F21C706FC9355"),
        (.signing, "067C6A21", "2023-07-16", "D227F6CDE11D35C5252178F106F843D24651944975413B539FA2FB68DBFA365F"),
    ]

    @Test("the J-LIS CA certificates of 2015 and 2023 are built in, byte for byte with their published fingerprints, serials and dates")
    func builtInBytes() throws {
        let anchors = TrustStore.jlis.anchors
        #expect(anchors.count == Self.published.count)
        for (anchor, expected) in zip(anchors, Self.published) {
            #expect(anchor.sha256Fingerprint == expected.sha256, "\(anchor.label)")
            #expect(anchor.issues == expected.issues)
            #expect(Array(anchor.certificate.serialNumber.bytes).hexString == expected.serialHex)
            #expect(ISO8601DateFormatter().string(from: anchor.certificate.notValidBefore).hasPrefix(expected.notBefore), "\(anchor.label)")
        }
    }

    @Test("each is a self-signed CA under O=JPKI, and the generations of a CA share one name")
    func selfSignedCAs() throws {
        for anchor in TrustStore.jlis.anchors {
            let certificate = anchor.certificate
            #expect(certificate.issuer == certificate.subject)
            #expect(certificate.publicKey.isValidSignature(certificate.signature, for: certificate), "\(anchor.label)")
            #expect(certificate.subject.description.contains("O=JPKI,"))
            #expect(certificate.subject.description.contains("Japan Agency for Local Authority Information Systems"))
            let unit = anchor.issues == .authentication ? "JPKI for user authentication" : "JPKI for digital signature"
            #expect(certificate.subject.description.contains(unit))
            if case .isCertificateAuthority = try certificate.extensions.basicConstraints {} else { Issue.record("\(anchor.label) is not a CA") }
            #expect(try certificate.extensions.keyUsage?.keyCertSign == true)
        }
        for key in JPKIKey.allCases {
            let names = Set(TrustStore.jlis.anchors.filter { $0.issues == key }.map(\.certificate.subject))
            #expect(names.count == 1)
        }
    }

    @Test("a test card's certificate is not trusted by the J-LIS store")
    func testCardNotTrusted() throws {
        let der = try Data(contentsOf: packageRoot.appendingPathComponent("fixtures/profiles/healthy/jpki/auth-cert.der"))
        let certificate = try Certificate(derEncoded: Array(der))
        guard case .failure(.noTrustedIssuer) = TrustStore.jlis.issuer(of: certificate, for: .login, at: day("2026-06-01")) else {
            Issue.record("a JPKI TEST certificate chained to a J-LIS CA")
            return
        }
    }
}

@Suite("Finding a certificate's issuer among trusted CAs")
struct TrustStoreTests {
    static let inValidity = day("2026-06-01")

    @Test("of two CAs with one name, the one whose key signed the certificate is its issuer, whatever the order")
    func issuerBySignature() throws {
        let (older, newer) = (try MadeCA(), try MadeCA())
        let certificate = try newer.issue(usage: KeyUsage(digitalSignature: true))
        for anchors in [[older, newer], [newer, older]] {
            let store = TrustStore(anchors: try anchors.map { try TrustAnchor($0.certificate) })
            let issuer = try store.issuer(of: certificate, for: .login, at: Self.inValidity).get()
            #expect(issuer.certificate == newer.certificate)
        }
        let onlyOlder = TrustStore(anchors: [try TrustAnchor(older.certificate)])
        #expect(onlyOlder.issuer(of: certificate, for: .login, at: Self.inValidity) == .failure(.noTrustedIssuer(issuer: MadeCA.name.description)))
    }

    @Test("a CA that has expired, or is not yet valid, at the date checked vouches for nothing")
    func caValidity() throws {
        let ca = try MadeCA(from: "2019-01-01", until: "2026-01-01")
        let certificate = try ca.issue(usage: KeyUsage(digitalSignature: true))
        let store = TrustStore(anchors: [try TrustAnchor(ca.certificate)])
        #expect(store.issuer(of: certificate, for: .login, at: day("2025-06-01")).isSuccess)
        let result = store.issuer(of: certificate, for: .login, at: Self.inValidity)
        #expect(result == .failure(.issuerNotValid(label: MadeCA.name.description, validity: .expired(day("2026-01-01")))))
    }

    @Test("a certificate that is not a CA cannot issue certificates")
    func notACA() throws {
        let ca = try MadeCA(isCA: false)
        let certificate = try ca.issue(usage: KeyUsage(digitalSignature: true))
        let store = TrustStore(anchors: [try TrustAnchor(ca.certificate)])
        #expect(store.issuer(of: certificate, for: .login, at: Self.inValidity) == .failure(.issuerNotACA(label: MadeCA.name.description)))
    }

    @Test("a login needs an authentication certificate; a document signature takes either kind")
    func keyUsage() throws {
        let ca = try MadeCA()
        let store = TrustStore(anchors: [try TrustAnchor(ca.certificate)])
        let authentication = try ca.issue(usage: KeyUsage(digitalSignature: true))
        let signature = try ca.issue(usage: KeyUsage(digitalSignature: true, nonRepudiation: true))
        let none = try ca.issue(usage: nil)
        #expect(store.issuer(of: authentication, for: .login, at: Self.inValidity).isSuccess)
        #expect(store.issuer(of: authentication, for: .documentSigning, at: Self.inValidity).isSuccess)
        #expect(store.issuer(of: signature, for: .documentSigning, at: Self.inValidity).isSuccess)
        guard case .failure(.keyUsage(let why)) = store.issuer(of: signature, for: .login, at: Self.inValidity) else {
            Issue.record("a signature certificate was accepted for a login")
            return
        }
        #expect(why.contains("signature certificate"))
        guard case .failure(.keyUsage) = store.issuer(of: none, for: .documentSigning, at: Self.inValidity) else {
            Issue.record("a certificate without keyUsage was accepted")
            return
        }
    }

    @Test("the certificate itself must be valid at the date checked")
    func certificateValidity() throws {
        let ca = try MadeCA()
        let certificate = try ca.issue(usage: KeyUsage(digitalSignature: true))
        let store = TrustStore(anchors: [try TrustAnchor(ca.certificate)])
        #expect(store.issuer(of: certificate, for: .login, at: day("2031-01-01")) == .failure(.notValid(.expired(day("2030-03-31")))))
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
