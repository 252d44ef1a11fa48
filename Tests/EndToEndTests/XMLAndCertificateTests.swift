import Foundation
import TestSigners
import Testing
import X509
import XMLSignature

/// `xml sign`/`xml verify` judged by xmlsec1, and the one-entry bundle, privacy note, decoded SAN and SSH line.
@Suite("XML signatures, the eKYC bundle, the signature certificate's holder and the SSH key", .serialized)
struct XMLAndCertificateTests {
    let root = EmulatedCardFixture.packageRoot
    var signCA: String { root.appendingPathComponent("fixtures/ca/sign-ca.pem").path }

    /// A folder with fixtures/xml's 構成情報, its application form, and an attached 委任状.pdf.
    func egovFolder() throws -> URL {
        let folder = try scratchDirectory()
        for name in ["kousei.xml", "TEST00000000000001_01.xml"] {
            try FileManager.default.copyItem(at: root.appendingPathComponent("fixtures/xml/" + name), to: folder.appendingPathComponent(name))
        }
        try FileManager.default.copyItem(at: root.appendingPathComponent("fixtures/pdf/ghostscript.pdf"), to: folder.appendingPathComponent("委任状.pdf"))
        return folder
    }

    func xmlsec1(_ file: String, trusting ca: String, in folder: URL) throws -> (code: Int32, output: String) {
        try DocumentTools.run("xmlsec1", ["--verify", "--trusted-pem", ca, "--id-attr:ID", "構成情報", file], in: folder)
    }

    @Test("xml sign makes a signature xmlsec1 accepts with the test CA, and refuses after one byte of the XML or of an attached file changes")
    func xmlSignatureAcceptedByXmlsec1() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let folder = try egovFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let kousei = folder.appendingPathComponent("kousei.xml").path
        let sign = try card.run(["xml", "sign", kousei, folder.appendingPathComponent("TEST00000000000001_01.xml").path,
                                 folder.appendingPathComponent("委任状.pdf").path, "--in-place", "--pin-stdin"], input: card.pin("sign") + "\n")
        #expect(sign.exitCode == 0, "\(sign.stderr)")
        #expect(sign.stderr.contains("signing key carries its certificate"))
        let accepted = try xmlsec1("kousei.xml", trusting: signCA, in: folder)
        #expect(accepted.code == 0, "\(accepted.output)")
        #expect(accepted.output.contains("OK"))
        #expect(accepted.output.contains("SignedInfo References (ok/all): 3/3"))
        let ours = try EmulatedCardFixture.runMynacard(["xml", "verify", kousei, "--ca", signCA])
        #expect(ours.exitCode == 0, "\(ours.allOutput)")

        // Another CA is not trusted.
        let otherCA = try xmlsec1("kousei.xml", trusting: root.appendingPathComponent("fixtures/ca/auth-ca.pem").path, in: folder)
        #expect(otherCA.code != 0)

        // One byte inside <構成情報> changed.
        let signed = try Data(contentsOf: URL(fileURLWithPath: kousei))
        var changed = signed
        let procedure = try #require(changed.range(of: Data("TEST000000000000</手続ID>".utf8)))
        changed[procedure.lowerBound] = UInt8(ascii: "B")
        try changed.write(to: URL(fileURLWithPath: kousei))
        let refusedXML = try xmlsec1("kousei.xml", trusting: signCA, in: folder)
        #expect(refusedXML.code != 0, "\(refusedXML.output)")
        #expect(refusedXML.output.contains("FAIL"))
        let oursRefused = try EmulatedCardFixture.runMynacard(["xml", "verify", kousei, "--ca", signCA])
        #expect(oursRefused.exitCode == 1)
        #expect(oursRefused.stdoutText.contains("FAIL  #構成情報: the element #構成情報 was changed after signing"), "\(oursRefused.stdoutText)")
        try signed.write(to: URL(fileURLWithPath: kousei))

        // One byte of the attached PDF changed.
        let attachment = folder.appendingPathComponent("委任状.pdf")
        var pdf = try Data(contentsOf: attachment)
        pdf[200] ^= 0x01
        try pdf.write(to: attachment)
        let refusedFile = try xmlsec1("kousei.xml", trusting: signCA, in: folder)
        #expect(refusedFile.code != 0, "\(refusedFile.output)")
        #expect(refusedFile.output.contains("SignedInfo References (ok/all): 2/3"))
        let oursFile = try EmulatedCardFixture.runMynacard(["xml", "verify", kousei, "--ca", signCA, "--json"])
        #expect(oursFile.exitCode == 1)
    }

    @Test("xml sign refuses an XML without the ID, with a DOCTYPE, or a missing attached file before the password is asked")
    func xmlRefusals() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let folder = try egovFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let kousei = folder.appendingPathComponent("kousei.xml").path
        let withoutID = folder.appendingPathComponent("other.xml")
        try Data("<a ID=\"x\"/>".utf8).write(to: withoutID)
        let doctype = folder.appendingPathComponent("doctype.xml")
        try Data("<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><a ID=\"構成情報\">&e;</a>".utf8).write(to: doctype)
        // No PIN on standard input: each must stop before one would be read.
        for arguments in [[withoutID.path], [doctype.path], [kousei, folder.appendingPathComponent("missing.pdf").path]] {
            let result = try card.run(["xml", "sign"] + arguments + ["--pin-stdin", "--json"], input: "")
            #expect(result.exitCode == 5, "\(arguments): \(result.allOutput)")
            #expect((result.json?["error"] as? [String: Any])?["kind"] as? String == "input-error")
            #expect(!result.stderr.contains("note:"), "refused before the privacy note and the password")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("kousei-signed.xml").path))
    }

    @Test("an XML signature by an EC P-384 key (openssl) uses ecdsa-sha384 and xmlsec1 and xml verify accept it")
    func ecdsaXMLSignature() throws {
        let folder = try egovFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pki = try ECTestPKI(in: folder)
        let kousei = folder.appendingPathComponent("kousei.xml")
        let attachments = ["TEST00000000000001_01.xml", "委任状.pdf"].map { XMLAttachment(name: $0, file: folder.appendingPathComponent($0)) }
        let signed = try XMLSignature.sign(Array(try Data(contentsOf: kousei)), attachments: attachments, with: pki.signer)
        try Data(signed).write(to: kousei)
        let accepted = try xmlsec1("kousei.xml", trusting: pki.caCertificate.path, in: folder)
        #expect(accepted.code == 0, "\(accepted.output)")
        let ours = try EmulatedCardFixture.runMynacard(["xml", "verify", kousei.path, "--ca", pki.caCertificate.path])
        #expect(ours.exitCode == 0, "\(ours.allOutput)")
        #expect(ours.stdoutText.contains("ecdsa-with-SHA384"))
    }

    @Test("jpki sign --format json --include-certificate gives signature, certificate and digest from one password entry; the privacy note comes once, and not with --quiet or the auth key")
    func oneEntryBundleAndPrivacyNote() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let folder = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try (1...3).map { index -> String in
            let url = folder.appendingPathComponent("doc\(index).txt")
            try Data("document \(index)\n".utf8).write(to: url)
            return url.path
        }
        let sign = try card.run(["jpki", "sign", "--key", "sign", "--format", "json", "--include-certificate", "--pin-stdin"] + files,
                                input: card.pin("sign") + "\n")
        #expect(sign.exitCode == 0, "\(sign.stderr)")
        #expect(sign.stderr.components(separatedBy: "note: a signature made with the signing key").count == 2, "once per command: \(sign.stderr)")
        #expect(sign.stderr.contains("name, address, birth date and sex"))
        let entries = try #require(sign.json?["signatures"] as? [[String: Any]])
        let certificateDER = try Data(contentsOf: card.profileDirectory.appendingPathComponent("jpki/sign-cert.der"))
        for (entry, file) in zip(entries, files) {
            let embedded = try #require(Data(base64Encoded: entry["certificate"] as? String ?? ""))
            #expect(embedded == certificateDER)
            // The relying party checks the signature with the certificate from the same bundle.
            let bundle = folder.appendingPathComponent("bundle.json")
            try JSONSerialization.data(withJSONObject: entry).write(to: bundle)
            let certificate = folder.appendingPathComponent("from-bundle.der")
            try embedded.write(to: certificate)
            let verify = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--signature", bundle.path, "--cert", certificate.path, file])
            #expect(verify.exitCode == 0, "\(verify.allOutput)")
        }
        let quiet = try card.run(["jpki", "sign", "--key", "sign", "--format", "base64", "--quiet", "--pin-stdin", files[0]], input: card.pin("sign") + "\n")
        #expect(quiet.exitCode == 0, "\(quiet.stderr)")
        #expect(!quiet.stderr.contains("note:"))
        let auth = try card.run(["jpki", "sign", "--key", "auth", "--format", "base64", "--pin-stdin", files[0]], input: card.pin("auth") + "\n")
        #expect(auth.exitCode == 0, "\(auth.stderr)")
        #expect(!auth.stderr.contains("note:"))
        let withoutJSON = try card.run(["jpki", "sign", "--key", "sign", "--include-certificate", files[0]])
        #expect(withoutJSON.exitCode == 64)
    }

    @Test("jpki cert sign decodes the name, address, birth date and sex from the subjectAltName, masked unless --reveal")
    func signatureCertificateHolder() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let masked = try card.run(["jpki", "cert", "sign", "--format", "json", "--pin-stdin"], input: card.pin("sign") + "\n")
        #expect(masked.exitCode == 0, "\(masked.stderr)")
        let holder = try #require(masked.json?["holder"] as? [String: Any])
        #expect(holder["name"] as? String == "番＊＊")
        #expect(holder["address"] as? String == "東京都＊＊＊")
        #expect(holder["birthDate"] as? String == "****-**-**")
        #expect(holder["sex"] as? String == "*")
        #expect(holder["revealed"] as? Bool == false)
        #expect(!masked.stdoutText.contains(card.holderString("name")))
        #expect(!masked.stdoutText.contains(card.holderString("address")))

        let revealed = try card.run(["jpki", "cert", "sign", "--format", "json", "--reveal", "--pin-stdin"], input: card.pin("sign") + "\n")
        let shown = try #require(revealed.json?["holder"] as? [String: Any])
        #expect(shown["name"] as? String == card.holderString("name"))
        #expect(shown["address"] as? String == card.holderString("address"))
        let birth = card.holderString("birthDate")
        #expect(shown["birthDate"] as? String == "\(birth.prefix(4))-\(birth.dropFirst(4).prefix(2))-\(birth.suffix(2))")
        #expect(shown["birthDateEra"] as? String == "平成")
        #expect(shown["sex"] as? String == "male")
        #expect(shown["nameSubstitutes"] as? [Int] == [])

        let text = try card.run(["jpki", "cert", "sign", "--format", "text", "--pin-stdin"], input: card.pin("sign") + "\n")
        #expect(text.stdoutText.contains("name:          番＊＊"))
        #expect(text.stdoutText.contains("--reveal shows them"))
        let auth = try card.run(["jpki", "cert", "auth", "--format", "json"])
        #expect(auth.json?["holder"] == nil, "the authentication certificate holds no basic info")
    }

    @Test("jpki cert auth --format ssh prints an OpenSSH key line that ssh-keygen reads, the same key ssh-keygen makes from the certificate")
    func sshKeyLine() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let folder = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let line = folder.appendingPathComponent("auth.pub")
        let result = try card.run(["jpki", "cert", "auth", "--format", "ssh", "-o", line.path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let text = String(decoding: try Data(contentsOf: line), as: UTF8.self)
        #expect(text.hasPrefix("ssh-rsa AAAAB3NzaC1yc2E"))
        let fingerprint = try DocumentTools.run("ssh-keygen", ["-l", "-f", line.path])
        #expect(fingerprint.code == 0, "\(fingerprint.output)")
        #expect(fingerprint.output.hasPrefix("2048 SHA256:"))
        #expect(fingerprint.output.contains("(RSA)"))
        // ssh-keygen's own conversion of the certificate's public key gives the same key.
        let publicKey = folder.appendingPathComponent("auth-pub.pem").path
        try ECTestPKI.openssl(["x509", "-inform", "DER", "-in", card.profileDirectory.appendingPathComponent("jpki/auth-cert.der").path,
                               "-pubkey", "-noout", "-out", publicKey])
        let converted = try DocumentTools.run("ssh-keygen", ["-i", "-m", "PKCS8", "-f", publicKey])
        #expect(converted.code == 0, "\(converted.output)")
        #expect(text.split(separator: " ").prefix(2) == converted.output.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(2))
    }
}
