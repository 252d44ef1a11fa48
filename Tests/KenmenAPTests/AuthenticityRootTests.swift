import Foundation
import KenmenAP
import Testing
import _CryptoExtras

@Suite("The J-LIS root keys for the text and card-face data")
struct AuthenticityRootTests {
    /// The second public source for the production root keys: hebingchang/pymyna `myna/utils/constants.py`
    /// (SubjectPublicKeyInfo, base64, keyed by the 16-byte key ID). The built-in keys come from the first
    /// source, soltia48/myna-card `src/ca.rs`; shipping them needs both to agree byte for byte.
    static let secondSource: [String: String] = [
        "35303030303333080530303100000000":
            "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0kYV9jUl50DIfoPtZHh+dtEKH4ZS6+HqKJNNNc478HcW9beeK8sq4rkbT0yf+2Akl/WW1lmvnQoUtFzdc471Ykk0m4zH2zLy1DO9ObzET1A+iB1WwUns1RVcHOdGH8OsT1XQo5zKqt+uW4r6Ecz5G+3HdAI9EcpuupkAT4HFQafWfd7YxyTW4gsQo96q6MQ8E3zNcbJjdA6JeXUt5NVnYynKvL1/Onf8SKb45h05m0rGZoSp/fyZ7O+QDdb/fw/dOeI9Fj+KRoxi2+rgCQbfrVqJtFyltzU9yZioDTgD7aeUtV+Z9TXRw5okPINSrWAtkmw4nSgWyUE0nuJOT0FZfwIDAQAB",
        "35303030303233080530303100000000":
            "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsvdA8K2G0Xzz9TfSO0s8ZaPLWEdNhX9V0Lm8BBGxywhJBo3jMqUNY7Pmkhycy+YVZJbvsEvo/8x0/emiKKNq1+3Ol5MgTjWXPckREINlACxAFp4LYAGN+5nh4jENmhEP8Pwmnx8iDGO4oVEN5aaJgiDHiQj8KA2KqV1dETt88AcA8/9a2LPWrS61PH1WNJi0qTje/8m9oyv0FGwbB++HDZnrNd5dcKwYcVh0J3oTFR0hfQTULpeSOSOkD7x9BvqoM4zL6HZiD5uO9Ecc1LninU6mIeD7jx3AS0hyEAl9uq89jgVQx2pbl88gL6R8eiYi8cCE5lwT0TuOerIm9fUfhwIDAQAB",
    ]

    @Test("the two built-in roots, 5000033 (text) and 5000023 (card face), agree byte for byte with a second public source")
    func agreeWithSecondSource() throws {
        #expect(CVRootKey.jlis.map(\.name) == ["5000033", "5000023"])
        for root in CVRootKey.jlis {
            let id = root.keyID.map { String(format: "%02x", $0) }.joined()
            let expected = try #require(Self.secondSource[id], "no second-source key for \(root.name)")
            #expect(root.publicKey.derRepresentation == Data(base64Encoded: expected), "\(root.name)")
            #expect(root.publicKey.keySizeInBits == 2048)
        }
    }

    @Test("the test card's root (9000033) is not built in, so without --root its data cannot be checked")
    func unknownRoot() throws {
        let text = try TextAPSession(transport: emulatedCard())
        try text.verifyPIN(pin("1234"))
        let report = try text.readAll(root: nil).authenticity
        #expect(report.rootSource == .none)
        #expect(report.result.code == "cannot-check")
        #expect(report.result.reason?.contains("not a built-in J-LIS root (5000033, 5000023)") == true)
    }

    @Test("a card naming J-LIS root 5000033 is checked with the built-in key, and a key certificate that root did not sign is NOT genuine")
    func builtInRootUsed() throws {
        let profile = fixtures.appendingPathComponent("profiles/healthy/text")
        func file(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: profile.appendingPathComponent(name))) }
        var certificateFile = try file("0004-cv-cert.bin")
        // 7F21 82 LLLL (5 bytes), 5F4E 82 LLLL (5 bytes), then the body: its first 16 bytes name the issuing root.
        let production5000033 = Array("5000033".utf8) + [0x08, 0x05] + Array("001".utf8) + [0, 0, 0, 0]
        certificateFile.replaceSubrange(10..<26, with: production5000033)
        let certificate = try CVCertificate(der: certificateFile)
        #expect(certificate.issuerKeyIDText == "5000033")
        let report = try TextAuthenticityReport(myNumberFile: try file("0001-my-number.bin"), basicInfo: BasicInfo(file: file("0002-basic-info.bin")),
                                                signatureFile: try file("0003-signature.bin"), certificate: certificate, root: nil)
        #expect(report.rootSource == .builtIn("5000033"))
        #expect(report.certificateSignedByRoot == false)
        #expect(report.result.code == "not-genuine")
        #expect(report.result.reason?.contains("J-LIS root key 5000033") == true)
        // --root overrides the built-in key: the test root is used whatever the card names.
        let given = try TextAuthenticityReport(myNumberFile: try file("0001-my-number.bin"), basicInfo: BasicInfo(file: file("0002-basic-info.bin")),
                                               signatureFile: try file("0003-signature.bin"), certificate: certificate, root: textRoot)
        #expect(given.rootSource == .given)
    }

    @Test("the card face likewise: a face naming root 5000023 is checked with the built-in key")
    func faceBuiltInRoot() throws {
        let profile = fixtures.appendingPathComponent("profiles/healthy/face")
        var certificateFile = Array(try Data(contentsOf: profile.appendingPathComponent("0004-cv-cert.bin")))
        certificateFile.replaceSubrange(10..<26, with: Array("5000023".utf8) + [0x08, 0x05] + Array("001".utf8) + [0, 0, 0, 0])
        let face = try CardFace(file: Array(try Data(contentsOf: profile.appendingPathComponent("0002-card-face.bin"))))
        let report = FaceAuthenticityReport(face: face, certificate: try CVCertificate(der: certificateFile), root: nil)
        #expect(report.rootSource == .builtIn("5000023"))
        #expect(report.result.code == "not-genuine")
        let unpatched = try CVCertificate(der: Array(try Data(contentsOf: profile.appendingPathComponent("0004-cv-cert.bin"))))
        let withTestRoot = FaceAuthenticityReport(face: face, certificate: unpatched, root: faceRoot)
        #expect(withTestRoot.rootSource == .given)
        #expect(withTestRoot.result == .genuine)
    }
}
