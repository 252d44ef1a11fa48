import Foundation
import TestSigners
import Testing

/// The verifying side with EC keys (ECDSA P-384 / SHA-384, announced for the next card generation): keys,
/// certificates and signatures made by openssl, checked by the real `mynacard` binary.
@Suite("Verifying ECDSA P-384 signatures from openssl")
struct ECVerificationTests {
    @Test("jpki verify accepts openssl's raw ECDSA and detached CMS signatures with a P-384 certificate, and refuses them for changed content")
    func jpkiVerify() throws {
        let folder = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pki = try ECTestPKI(in: folder)
        let file = folder.appendingPathComponent("document.txt")
        try Data("次世代カードで署名した文書\n".utf8).write(to: file)
        let raw = folder.appendingPathComponent("document.sig").path
        try ECTestPKI.openssl(["dgst", "-sha384", "-sign", pki.signerKey.path, "-out", raw, file.path])
        let cms = folder.appendingPathComponent("document.p7s").path
        try ECTestPKI.openssl(["cms", "-sign", "-binary", "-md", "sha384", "-signer", pki.signerCertificate.path, "-inkey", pki.signerKey.path,
                               "-outform", "DER", "-in", file.path, "-out", cms])

        let rawValid = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--signature", raw, "--hash", "sha384",
                                                            "--cert", pki.signerCertificate.path, "--ca", pki.caCertificate.path, file.path, "--json"])
        #expect(rawValid.exitCode == 0, "\(rawValid.allOutput)")
        #expect(rawValid.json?["trust"] as? String == "trusted-ca")
        let cmsValid = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--cms", "--signature", cms, "--ca", pki.caCertificate.path, file.path])
        #expect(cmsValid.exitCode == 0, "\(cmsValid.allOutput)")
        #expect(cmsValid.stdoutText.hasPrefix("valid"))
        let untrusted = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--cms", "--signature", cms, file.path])
        #expect(untrusted.exitCode == 6, "no --ca: the built-in J-LIS CAs did not issue it: \(untrusted.allOutput)")

        try Data("次世代カードで署名した文書、後で変更\n".utf8).write(to: file)
        for arguments in [["--signature", raw, "--hash", "sha384", "--cert", pki.signerCertificate.path], ["--cms", "--signature", cms, "--ca", pki.caCertificate.path]] {
            let changed = try EmulatedCardFixture.runMynacard(["jpki", "verify"] + arguments + [file.path])
            #expect(changed.exitCode == 1, "\(changed.allOutput)")
            #expect(changed.stdoutText.hasPrefix("INVALID"))
        }
    }

    @Test("login-verify accepts a bundle signed with a P-384 authentication key (ecdsa-with-SHA384), and rejects one answering another challenge")
    func loginVerify() throws {
        let folder = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pki = try ECTestPKI(in: folder, signerName: "EC TEST AUTH", keyUsage: "digitalSignature")
        let challenge = Data((0..<32).map { UInt8($0 * 7 & 0xFF) })
        let challengeFile = folder.appendingPathComponent("challenge.bin")
        try challenge.write(to: challengeFile)
        let signature = folder.appendingPathComponent("challenge.sig")
        try ECTestPKI.openssl(["dgst", "-sha384", "-sign", pki.signerKey.path, "-out", signature.path, challengeFile.path])
        let der = folder.appendingPathComponent("auth.der")
        try ECTestPKI.openssl(["x509", "-in", pki.signerCertificate.path, "-outform", "DER", "-out", der.path])
        let serial = try EmulatedCardFixture.runProcess(URL(fileURLWithPath: "/usr/bin/openssl"), ["x509", "-in", pki.signerCertificate.path, "-noout", "-serial"])
            .stdoutText.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
        let bundle: [String: Any] = [
            "version": 1, "algorithm": "ecdsa-with-SHA384",
            "certificate": try Data(contentsOf: der).base64EncodedString(),
            "signature": try Data(contentsOf: signature).base64EncodedString(),
            "challenge": challenge.base64EncodedString(),
            "serial": Self.withoutLeadingZeroBytes(serial),
        ]
        let bundleFile = folder.appendingPathComponent("bundle.json")
        try JSONSerialization.data(withJSONObject: bundle).write(to: bundleFile)
        let hex = challenge.map { String(format: "%02x", $0) }.joined()
        let accepted = try EmulatedCardFixture.runMynacard(["jpki", "login-verify", bundleFile.path, "--ca", pki.caCertificate.path, "--challenge", hex])
        #expect(accepted.exitCode == 0, "\(accepted.allOutput)")
        #expect(accepted.stdoutText.hasPrefix("accepted"))
        let other = try EmulatedCardFixture.runMynacard(["jpki", "login-verify", bundleFile.path, "--ca", pki.caCertificate.path, "--challenge", String(repeating: "ab", count: 32)])
        #expect(other.exitCode == 1, "\(other.allOutput)")
        var forged = bundle
        forged["algorithm"] = "sha384WithRSAEncryption"
        try JSONSerialization.data(withJSONObject: forged).write(to: bundleFile)
        let wrongAlgorithm = try EmulatedCardFixture.runMynacard(["jpki", "login-verify", bundleFile.path, "--ca", pki.caCertificate.path])
        #expect(wrongAlgorithm.exitCode == 1, "an EC key's signature is not an RSA one: \(wrongAlgorithm.allOutput)")
    }

    /// Hex without leading zero bytes (pairs), as bundles write serial numbers.
    static func withoutLeadingZeroBytes(_ hex: String) -> String {
        var text = hex.uppercased()
        while text.hasPrefix("00") && text.count > 2 { text.removeFirst(2) }
        return text
    }
}
