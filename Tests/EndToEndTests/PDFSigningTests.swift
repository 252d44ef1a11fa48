import Crypto
import Foundation
import PDFSignature
import TestSigners
import Testing

/// `mynacard pdf sign` and `pdf check` through pcscd and the emulated card, judged by pdfsig, pyHanko and qpdf.
@Suite("Signing PDFs for the 法務局 through pcscd", .serialized)
struct PDFSigningEndToEndTests {
    static let inputs = ["libreoffice.pdf", "ghostscript.pdf", "qpdf-object-streams.pdf", "qpdf-linearized.pdf"]
    let signCA = EmulatedCardFixture.packageRoot.appendingPathComponent("fixtures/ca/sign-ca.pem").path

    /// A scratch folder holding copies of the PDF inputs from fixtures/pdf.
    func folderWithInputs() throws -> URL {
        let folder = try scratchDirectory()
        for name in Self.inputs + ["encrypted.pdf"] {
            try FileManager.default.copyItem(at: EmulatedCardFixture.packageRoot.appendingPathComponent("fixtures/pdf/" + name),
                                             to: folder.appendingPathComponent(name))
        }
        return folder
    }

    @Test("LibreOffice, Ghostscript and qpdf inputs (classic and stream cross-references) signed as a batch with one password entry pass pdfsig, pyHanko, qpdf --check and pdf check")
    func batchOfInputs() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let folder = try folderWithInputs()
        defer { try? FileManager.default.removeItem(at: folder) }
        let paths = Self.inputs.map { folder.appendingPathComponent($0).path }
        let originals = try paths.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        // One line on standard input: a second password request would find it empty and fail.
        let sign = try card.run(["pdf", "sign", "--pin-stdin", "--json"] + paths, input: card.pin("sign") + "\n")
        #expect(sign.exitCode == 0, "\(sign.stderr)")
        #expect(sign.stderr.components(separatedBy: "signing key carries its certificate").count == 2, "the privacy note, once: \(sign.stderr)")
        let signed = try #require(sign.json?["signed"] as? [[String: Any]])
        #expect(signed.count == 4)
        let nss = try DocumentTools.nssDatabase(in: folder, trusting: [signCA])
        for (index, path) in paths.enumerated() {
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == originals[index], "\(path) must stay untouched")
            let output = path.replacingOccurrences(of: ".pdf", with: "-signed.pdf")
            #expect(signed[index]["output"] as? String == output)
            let result = try Data(contentsOf: URL(fileURLWithPath: output))
            #expect(result.prefix(originals[index].count) == originals[index], "the original bytes come first, unchanged")
            try DocumentTools.expectQpdfAccepts(output)
            try DocumentTools.expectPdfsigAccepts(output, nss: nss, count: 1)
            try DocumentTools.expectPyHankoAccepts(output, trusting: [signCA], count: 1)
            let check = try EmulatedCardFixture.runMynacard(["pdf", "check", output, "--ca", signCA])
            #expect(check.exitCode == 0, "\(check.allOutput)")
            #expect(check.stdoutText.contains("all requirements met"))
            #expect(!check.stdoutText.contains("FAIL"))
            #expect(!check.stdoutText.contains(card.holderString("name")), "the name is masked unless --reveal")
            let revealed = try EmulatedCardFixture.runMynacard(["pdf", "check", output, "--ca", signCA, "--reveal", "--json"])
            let signature = try #require((revealed.json?["signatures"] as? [[String: Any]])?.first)
            #expect(signature["name"] as? String == card.holderString("name"), "/Name is the name in the signature certificate")
        }
    }

    @Test("a PDF signed by one card and co-signed by a second keeps both signatures valid in pdfsig, pyHanko and pdf check")
    func coSigningByTwoCards() throws {
        let folder = try folderWithInputs()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("qpdf-object-streams.pdf").path
        let once = folder.appendingPathComponent("once.pdf").path
        let twice = folder.appendingPathComponent("twice.pdf").path
        do {
            let card = try EmulatedCardFixture()
            defer { card.stop() }
            let sign = try card.run(["pdf", "sign", input, "-o", once, "--pin-stdin", "--quiet"], input: card.pin("sign") + "\n")
            #expect(sign.exitCode == 0, "\(sign.stderr)")
            #expect(!sign.stderr.contains("note:"), "--quiet hides the privacy note")
        }
        do {
            // A second person's card (its authentication PIN is blocked; its signing password is fine).
            let card = try EmulatedCardFixture(profile: "blocked-pin")
            defer { card.stop() }
            let sign = try card.run(["pdf", "sign", once, "-o", twice, "--pin-stdin", "--quiet"], input: card.pin("sign") + "\n")
            #expect(sign.exitCode == 0, "\(sign.stderr)")
        }
        let first = try Data(contentsOf: URL(fileURLWithPath: once))
        #expect(try Data(contentsOf: URL(fileURLWithPath: twice)).prefix(first.count) == first)
        let nss = try DocumentTools.nssDatabase(in: folder, trusting: [signCA])
        try DocumentTools.expectQpdfAccepts(twice)
        try DocumentTools.expectPdfsigAccepts(twice, nss: nss, count: 2)
        try DocumentTools.expectPyHankoAccepts(twice, trusting: [signCA], count: 2)
        let check = try EmulatedCardFixture.runMynacard(["pdf", "check", twice, "--ca", signCA, "--json"])
        #expect(check.exitCode == 0, "\(check.allOutput)")
        let signatures = try #require(check.json?["signatures"] as? [[String: Any]])
        #expect(signatures.map { $0["field"] as? String } == ["Signature1", "Signature2"])
        #expect(signatures.map { $0["coversWholeFile"] as? Bool } == [false, true])
        #expect(signatures.allSatisfy { $0["passed"] as? Bool == true })
    }

    @Test("the same card signing twice (--in-place): both signatures verify in pdfsig and pyHanko, and pdf check passes")
    func coSigningBySameCardInPlace() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let folder = try folderWithInputs()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ghostscript.pdf").path
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        for _ in 0..<2 {
            let sign = try card.run(["pdf", "sign", path, "--in-place", "--pin-stdin", "--quiet"], input: card.pin("sign") + "\n")
            #expect(sign.exitCode == 0, "\(sign.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(original.count) == original)
        let nss = try DocumentTools.nssDatabase(in: folder, trusting: [signCA])
        // pdfsig 22.12 reports the second of two signatures by one certificate as "Unknown issue with
        // Certificate" (it does so for pyHanko's own co-signed files too: docs/pdf-signatures.md), so only
        // the signatures themselves are judged here; pyHanko checks trust for both.
        try DocumentTools.expectPdfsigAccepts(path, nss: nss, count: 2, trustedCertificates: false)
        try DocumentTools.expectPyHankoAccepts(path, trusting: [signCA], count: 2)
        let check = try EmulatedCardFixture.runMynacard(["pdf", "check", path, "--ca", signCA])
        #expect(check.exitCode == 0, "\(check.allOutput)")
    }

    @Test("pdf check fails a tampered PDF, one with bytes added after the signature, one signed by an untrusted CA, and one signed by pyHanko without /Name, each with the reason")
    func checkFindsProblems() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let folder = try folderWithInputs()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("libreoffice.pdf").path
        let signed = folder.appendingPathComponent("signed.pdf")
        let sign = try card.run(["pdf", "sign", input, "-o", signed.path, "--pin-stdin", "--quiet"], input: card.pin("sign") + "\n")
        #expect(sign.exitCode == 0, "\(sign.stderr)")
        let good = try Data(contentsOf: signed)

        func check(_ bytes: Data, _ ca: String = signCA) throws -> CommandResult {
            let file = folder.appendingPathComponent("candidate.pdf")
            try bytes.write(to: file)
            return try EmulatedCardFixture.runMynacard(["pdf", "check", file.path, "--ca", ca])
        }
        // One byte of the original document changed: the L of LibreOffice in its Info dictionary's
        // /Producer (a hexadecimal UTF-16 string) becomes an M.
        var tampered = good
        let producer = try #require(tampered.range(of: Data("/Producer<FEFF004C".utf8)))
        tampered[producer.upperBound - 1] = UInt8(ascii: "D")
        let tamperedResult = try check(tampered)
        #expect(tamperedResult.exitCode == 1)
        #expect(tamperedResult.stdoutText.contains("FAIL  integrity"), "\(tamperedResult.stdoutText)")

        let appended = try check(good + Data("\n% added later\n".utf8))
        #expect(appended.exitCode == 1)
        #expect(appended.stdoutText.contains("FAIL  nothing-after"), "\(appended.stdoutText)")

        let untrusted = try check(good, EmulatedCardFixture.packageRoot.appendingPathComponent("fixtures/ca/auth-ca.pem").path)
        #expect(untrusted.exitCode == 6, "only the certificate fails: untrusted, as jpki verify says it")
        #expect(untrusted.stdoutText.contains("FAIL  certificate"), "\(untrusted.stdoutText)")

        // pyHanko signs without /Name (and with other choices of its own): it is a valid signature, but not
        // the 法務局's format.
        let key = folder.appendingPathComponent("key.pem").path
        let certificate = folder.appendingPathComponent("cert.pem").path
        try ECTestPKI.openssl(["rsa", "-inform", "DER", "-in", card.profileDirectory.appendingPathComponent("jpki/sign-key.der").path, "-out", key])
        try ECTestPKI.openssl(["x509", "-inform", "DER", "-in", card.profileDirectory.appendingPathComponent("jpki/sign-cert.der").path, "-out", certificate])
        let byPyHanko = folder.appendingPathComponent("pyhanko.pdf").path
        let made = try DocumentTools.run("pyhanko", ["sign", "addsig", "--field", "Sig1", "pemder", "--key", key, "--cert", certificate, "--no-pass", input, byPyHanko])
        #expect(made.code == 0, "\(made.output)")
        let foreign = try EmulatedCardFixture.runMynacard(["pdf", "check", byPyHanko, "--ca", signCA, "--json"])
        #expect(foreign.exitCode == 1)
        let requirements = try #require((foreign.json?["signatures"] as? [[String: Any]])?.first?["requirements"] as? [[String: Any]])
        let failed = requirements.filter { $0["passed"] as? Bool == false }.compactMap { $0["id"] as? String }
        #expect(failed.contains("name"), "\(requirements)")
        #expect(requirements.first { $0["id"] as? String == "integrity" }?["passed"] as? Bool == true)
        // And mynacard co-signs pyHanko's file; both signatures stay valid for pyHanko.
        let cosigned = folder.appendingPathComponent("pyhanko-cosigned.pdf").path
        let cosign = try card.run(["pdf", "sign", byPyHanko, "-o", cosigned, "--pin-stdin", "--quiet"], input: card.pin("sign") + "\n")
        #expect(cosign.exitCode == 0, "\(cosign.stderr)")
        try DocumentTools.expectPyHankoAccepts(cosigned, trusting: [signCA], count: 2)
        try DocumentTools.expectQpdfAccepts(cosigned)
    }

    @Test("an encrypted PDF is refused before the password is asked; an output that is the input is refused; the input stays untouched")
    func refusals() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let folder = try folderWithInputs()
        defer { try? FileManager.default.removeItem(at: folder) }
        let encrypted = folder.appendingPathComponent("encrypted.pdf").path
        let before = try Data(contentsOf: URL(fileURLWithPath: encrypted))
        // No PIN on standard input: the command must stop before it would read one.
        let refused = try card.run(["pdf", "sign", encrypted, "--pin-stdin", "--json"], input: "")
        #expect(refused.exitCode == 5)
        #expect((refused.json?["error"] as? [String: Any])?["kind"] as? String == "input-error")
        #expect(refused.stderr.contains("encrypted"))
        #expect(refused.stderr.contains("qpdf --decrypt"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: encrypted)) == before)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("encrypted-signed.pdf").path))

        let input = folder.appendingPathComponent("libreoffice.pdf").path
        let original = try Data(contentsOf: URL(fileURLWithPath: input))
        let overwrite = try card.run(["pdf", "sign", input, "-o", input, "--pin-stdin"], input: "")
        #expect(overwrite.exitCode == 5)
        #expect(overwrite.stderr.contains("is also an input"), "\(overwrite.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == original)

        let notPDF = folder.appendingPathComponent("notes.pdf")
        try Data("just text".utf8).write(to: notPDF)
        let bad = try card.run(["pdf", "sign", notPDF.path, "--pin-stdin"], input: "")
        #expect(bad.exitCode == 5)
        #expect(bad.stderr.contains("not a PDF"))

        let wrongPIN = try card.run(["pdf", "sign", input, "--pin-stdin", "--quiet"], input: "WRONG99\n")
        #expect(wrongPIN.exitCode == 2)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("libreoffice-signed.pdf").path))
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == original)
    }

    @Test("a PDF signed with an EC P-384 key (made by openssl, as the next card generation) passes pdf check, pdfsig and pyHanko")
    func ecdsaSignedPDF() throws {
        let folder = try folderWithInputs()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pki = try ECTestPKI(in: folder)
        let bytes = Array(try Data(contentsOf: folder.appendingPathComponent("libreoffice.pdf")))
        let signed = try PDFFile(bytes: bytes).signed(by: pki.signer, options: PDFSigningOptions(name: "EC テスト"))
        let file = folder.appendingPathComponent("ec.pdf")
        try Data(signed).write(to: file)
        let check = try EmulatedCardFixture.runMynacard(["pdf", "check", file.path, "--ca", pki.caCertificate.path])
        #expect(check.exitCode == 0, "\(check.allOutput)")
        #expect(check.stdoutText.contains("ecdsa-with-SHA384"))
        let nss = try DocumentTools.nssDatabase(in: folder, trusting: [pki.caCertificate.path])
        try DocumentTools.expectPdfsigAccepts(file.path, nss: nss, count: 1)
        try DocumentTools.expectPyHankoAccepts(file.path, trusting: [pki.caCertificate.path], count: 1)
        try DocumentTools.expectQpdfAccepts(file.path)
    }
}
