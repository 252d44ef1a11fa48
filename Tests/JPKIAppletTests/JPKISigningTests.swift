import CardEmulator
import CardSession
import Crypto
import Foundation
import JPKIApplet
import Testing
import X509

/// The package root (holding Package.swift).
let packageRoot: URL = {
    var root = URL(fileURLWithPath: #filePath)
    while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) { root.deleteLastPathComponent() }
    return root
}()

/// An emulated card in memory, from a profile in fixtures/profiles.
func emulatedJPKI(_ profile: String = "healthy") throws -> (JPKISession, EmulatedCardTransport) {
    let card = EmulatedCard(profile: try CardProfile.load(from: packageRoot.appendingPathComponent("fixtures/profiles/\(profile)")))
    let transport = EmulatedCardTransport(card: card)
    return (try JPKISession(transport: transport), transport)
}

func pin(_ text: String) -> PINCode {
    var bytes = Array(text.utf8)
    return PINCode(consuming: &bytes)
}

@Suite("Signing with the JPKI keys")
struct JPKISigningTests {
    @Test("a signature by each key verifies with that key's certificate, for each hash",
          arguments: JPKIKey.allCases, JPKIHashAlgorithm.allCases)
    func signatureVerifies(key: JPKIKey, hash: JPKIHashAlgorithm) throws {
        let (jpki, _) = try emulatedJPKI()
        try jpki.verify(key.pin, pin: pin(key == .authentication ? "1234" : "ABC123"))
        let content = Array("これは署名される文書".utf8)
        let signature = try jpki.sign(hash.hash(content), with: key)
        let certificate = try jpki.certificate(key.certificate).certificate
        #expect(signature.count == 256)
        #expect(RawSignature.verify(signature: signature, contentDigest: hash.hash(content), certificate: certificate) == .valid)
        #expect(!RawSignature.verify(signature: signature, contentDigest: hash.hash(content + [0x0A]), certificate: certificate).isValid)
    }

    @Test("signing before the PIN is verified is refused as needing the PIN")
    func signingNeedsPIN() throws {
        let (jpki, _) = try emulatedJPKI()
        #expect(throws: CardSessionError.pinRequired(.jpkiAuthentication, during: "signing with the auth key")) {
            try jpki.sign(JPKIHashAlgorithm.sha256.hash([1, 2, 3]), with: .authentication)
        }
    }

    @Test("a streamed hash over many chunks equals the one-shot hash")
    func streamedHashMatches() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hash-\(UUID()).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        let content = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(content).write(to: url)
        for hash in JPKIHashAlgorithm.allCases {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            var progress: [UInt64] = []
            let streamed = try hash.hash(reading: handle, chunkSize: 4096) { progress.append($0) }
            #expect(streamed == hash.hash(content))
            #expect(streamed.digestInfo.count == hash.digestInfoPrefix.count + hash.digestLength)
            #expect(progress.last == 100_000)
            #expect(progress.count == 25)
        }
    }

    @Test("the SHA-256 DigestInfo is the RFC 8017 prefix followed by the digest")
    func digestInfoPrefix() {
        let digest = JPKIHashAlgorithm.sha256.hash(Array("abc".utf8))
        #expect(Array(digest.digestInfo.prefix(19)) == [0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
                                                        0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20])
        #expect(Array(digest.bytes.prefix(4)) == [0xBA, 0x78, 0x16, 0xBF])
    }
}

@Suite("Detached CMS signatures")
struct DetachedCMSTests {
    @Test("a CMS signature parses back, verifies against its content, and fails for changed content or another key")
    func cmsRoundTrip() throws {
        let (jpki, _) = try emulatedJPKI()
        let cardSigner = try JPKISigner(session: jpki, key: .signing, includeChain: true) { pin("ABC123") }
        let content = Array("契約書 version 1".utf8)
        let signer = cardSigner.signerCertificate.der
        let time = Date(timeIntervalSince1970: 1_800_000_000)
        let der = try cardSigner.signDetachedCMS(contentDigest: JPKIHashAlgorithm.sha256.hash(content), signingTime: time)
        let document = try DetachedCMSSignature(derEncoded: der)
        #expect(document.hash == .sha256)
        #expect(document.signingTime == time)
        #expect(document.certificates.count == 2)
        let certificate = try #require(document.embeddedSignerCertificate)
        #expect(certificate == (try Certificate(derEncoded: signer)))
        #expect(document.verify(contentDigest: JPKIHashAlgorithm.sha256.hash(content), signer: certificate) == .valid)
        #expect(!document.verify(contentDigest: JPKIHashAlgorithm.sha256.hash(content + [0x21]), signer: certificate).isValid)
        let authCertificate = try jpki.certificate(.authentication).certificate
        #expect(!document.verify(contentDigest: JPKIHashAlgorithm.sha256.hash(content), signer: authCertificate).isValid)
    }

    @Test("bytes that are not a CMS signature are rejected with a format error")
    func notCMS() {
        #expect(throws: CMSFormatError.self) { try DetachedCMSSignature(derEncoded: [0x30, 0x03, 0x02, 0x01, 0x01]) }
        #expect(throws: CMSFormatError.self) { try DetachedCMSSignature(derEncoded: Array(repeating: 0xAB, count: 256)) }
    }
}

@Suite("PIN guard on the JPKI applet")
struct JPKIPINGuardTests {
    @Test("a wrong auth PIN leaves two tries")
    func wrongAuthPIN() throws {
        let (jpki, _) = try emulatedJPKI()
        #expect(throws: CardSessionError.wrongPIN(.jpkiAuthentication, triesLeft: 2)) { try jpki.verify(.jpkiAuthentication, pin: pin("9999")) }
        #expect(try jpki.pinStatus(.jpkiAuthentication) == .remaining(2))
    }

    @Test("with one try left the PIN is not sent without force, no try is spent, and force sends it")
    func lastTryRefused() throws {
        let (jpki, transport) = try emulatedJPKI("last-try")
        #expect(throws: CardSessionError.lastTryRefused(.jpkiSigning)) { try jpki.verify(.jpkiSigning, pin: pin("ABC123")) }
        #expect(!transport.sentCommands.contains { $0.count > 5 && $0[1] == 0x20 })
        #expect(try jpki.pinStatus(.jpkiSigning) == .remaining(1))
        try jpki.verify(.jpkiSigning, pin: pin("ABC123"), force: true)
        #expect(try jpki.pinStatus(.jpkiSigning) == .remaining(5))
    }

    @Test("a blocked auth PIN is reported as blocked, with where to reset it")
    func blocked() throws {
        let (jpki, _) = try emulatedJPKI("blocked-pin")
        #expect(throws: CardSessionError.pinBlocked(.jpkiAuthentication)) { try jpki.verify(.jpkiAuthentication, pin: pin("1234"), force: true) }
        #expect(CardSessionError.pinBlocked(.jpkiAuthentication).description.contains("municipal office"))
    }

    @Test("after changing the signing password the new one works and the old one is wrong")
    func changePIN() throws {
        let (jpki, transport) = try emulatedJPKI()
        try jpki.changePIN(.jpkiSigning, current: pin("ABC123"), new: pin("NEWPASS9"))
        transport.card.reset()
        let fresh = try JPKISession(transport: transport)
        #expect(throws: CardSessionError.wrongPIN(.jpkiSigning, triesLeft: 4)) { try fresh.verify(.jpkiSigning, pin: pin("ABC123")) }
        try fresh.verify(.jpkiSigning, pin: pin("NEWPASS9"))
    }

    @Test("a new PIN of the wrong shape is refused before anything is sent")
    func changePINBadFormat() throws {
        let (jpki, transport) = try emulatedJPKI()
        let before = transport.sentCommands.count
        #expect(throws: CardSessionError.self) { try jpki.changePIN(.jpkiAuthentication, current: pin("1234"), new: pin("12a4")) }
        #expect(transport.sentCommands.count == before)
    }
}

@Suite("Login bundles")
struct LoginBundleTests {
    func fixtureCertificate(_ name: String) throws -> Certificate {
        try Certificate(derEncoded: Array(Data(contentsOf: packageRoot.appendingPathComponent("fixtures/profiles/healthy/jpki/\(name).der"))))
    }

    func makeBundle(_ challenge: [UInt8]) throws -> (LoginBundle, JPKICertificate) {
        let (jpki, _) = try emulatedJPKI()
        try jpki.verify(.jpkiAuthentication, pin: pin("1234"))
        return (try jpki.login(challenge: challenge), try jpki.certificate(.authentication))
    }

    static let inValidity = ISO8601DateFormatter().date(from: "2026-06-01T00:00:00Z")!

    @Test("a bundle is accepted by the auth CA and proves the certificate's serial")
    func accepted() throws {
        let challenge: [UInt8] = Array(0..<32)
        let (bundle, certificate) = try makeBundle(challenge)
        let proof = try LoginVerifier(ca: fixtureCertificate("auth-ca")).verify(bundle, expectedChallenge: challenge, at: Self.inValidity)
        #expect(proof.serialHex == certificate.serialHex)
        #expect(bundle.serial == certificate.serialHex)
        #expect(bundle.algorithm == "sha256WithRSAEncryption")
    }

    @Test("a bundle is rejected for another challenge, another CA, a tampered challenge, or after expiry")
    func rejected() throws {
        let challenge: [UInt8] = Array(0..<32)
        let (bundle, _) = try makeBundle(challenge)
        let verifier = LoginVerifier(ca: try fixtureCertificate("auth-ca"))
        #expect(throws: LoginRejection.challengeMismatch) { try verifier.verify(bundle, expectedChallenge: [1, 2, 3], at: Self.inValidity) }
        #expect(throws: LoginRejection.self) { try LoginVerifier(ca: fixtureCertificate("sign-ca")).verify(bundle, at: Self.inValidity) }
        var tampered = bundle
        tampered.challenge = Data([9, 9, 9]).base64EncodedString()
        #expect(throws: LoginRejection.badSignature) { try verifier.verify(tampered, at: Self.inValidity) }
        let later = ISO8601DateFormatter().date(from: "2031-01-01T00:00:00Z")!
        #expect(throws: LoginRejection.expired(try fixtureCertificate("auth-cert").notValidAfter)) { try verifier.verify(bundle, at: later) }
    }
}
