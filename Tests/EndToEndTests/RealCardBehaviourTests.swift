import Foundation
import Testing

/// The test root that certifies the fixtures' text-applet signing key.
private let textRoot = EmulatedCardFixture.packageRoot.appendingPathComponent("fixtures/ca/text-root.pem").path

extension EmulatedCardFixture {
    /// A card from `profile` with `settings` in its profile.json (fixtures/README.md, "settings").
    convenience init(profile: String = "healthy", settings: [String: Any]) throws {
        try self.init(profile: profile) { manifest in manifest["settings"] = settings }
    }

    /// A PIN's entry in `pin status --json`.
    func pinEntry(_ pin: String) throws -> [String: Any]? {
        let pins = try run(["pin", "status", "--json"]).json?["pins"] as? [[String: Any]]
        return pins?.first { $0["pin"] as? String == pin }
    }
}

extension CommandResult {
    /// The `check --json` line with `id`.
    func checkItem(_ id: String) -> [String: Any]? {
        (json?["checks"] as? [[String: Any]])?.first { $0["id"] as? String == id }
    }

    /// The error kind of a failed command's JSON.
    var errorKind: String? { (json?["error"] as? [String: Any])?["kind"] as? String }
}

/// A few files to sign in a scratch folder.
private func documents(_ count: Int, in dir: URL) throws -> [String] {
    try (1...count).map { index in
        let url = dir.appendingPathComponent("doc\(index).txt")
        try Data("document number \(index)\n".utf8).write(to: url)
        return url.path
    }
}

@Suite("Real ATRs through pcscd", .serialized)
struct RealATRTests {
    @Test("info and check classify every ATR real cards present, and never call one \"not the usual ATR\"", arguments: [
        ("3BC5FF8131FB458073C6010000", "contact", "my-number-card"),
        ("3BDA13FF8131FB468012392F31C173C601C03B", "contact", "my-number-card"),
        ("3BF59100FF918171FE400042000100D1D6", "contactless", "my-number-card"),
        ("3BF59100FF918171FE4000420001B3A115", "contactless", "my-number-card"),
        ("3B888001000005E0B381A1007F", "contactless", "my-number-card"),
        ("3B888001000041E0B381A1003B", "contactless", "my-number-card"),
        ("3B888001004B51FF0081D100BC", "contactless", "my-number-card"),
        ("3B888001004B51FFB381D1000F", "contactless", "my-number-card"),
        // A reader that puts the card's random PUPI into the ATR: in no list, judged by the applets.
        ("3B8880019C41D2E7B381A10011", "contactless", "unknown"),
    ])
    func atr(hex: String, kind: String, atrCard: String) throws {
        let card = try EmulatedCardFixture { $0["atr"] = hex }
        defer { card.stop() }
        let info = try card.run(["info", "--json"])
        #expect(info.exitCode == 0, "\(info.stderr)")
        #expect(info.json?["atr"] as? String == hex)
        #expect(info.json?["atrKind"] as? String == kind)
        #expect(info.json?["atrCard"] as? String == atrCard)
        #expect(info.json?["atrMatchesMyNumberCard"] as? Bool == (atrCard == "my-number-card"))
        #expect(info.json?["card"] as? String == "my-number-card")
        let check = try card.run(["check", "--json"])
        #expect(check.exitCode == 0, "\(check.stdoutText)")
        #expect(check.checkItem("atr")?["status"] as? String == "ok")
        for result in [info, check, try card.run(["check"]), try card.run(["info"])] {
            #expect(!result.allOutput.contains("not the usual"), "\(result.allOutput)")
        }
    }

    @Test("the 住基カード's ATR is named as such, and the applets still decide")
    func residentRegistryCardATR() throws {
        let card = try EmulatedCardFixture { $0["atr"] = "3BE000FF8131FE4514" }
        defer { card.stop() }
        let info = try card.run(["info", "--json"])
        #expect(info.json?["atrCard"] as? String == "resident-registry-card")
        #expect(info.json?["atrMatchesMyNumberCard"] as? Bool == false)
        #expect(info.json?["card"] as? String == "my-number-card")
        #expect(try card.run(["info"]).stdoutText.contains("住基カード"))
    }
}

@Suite("Card settings through pcscd: every command that meets them", .serialized)
struct CardSettingTests {
    @Test("commands that verify a PIN do not depend on the retry query saying \"verified\"", arguments: ["retries", "success"])
    func emptyVerifyAfterSuccess(setting: String) throws {
        let card = try EmulatedCardFixture(settings: ["emptyVerifyAfterSuccess": setting])
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try documents(2, in: dir)
        let env = ["AP": card.pin("auth"), "SP": card.pin("sign"), "TP": card.pin("text")]
        for arguments in [
            ["jpki", "cert", "sign", "--format", "der", "--pin-env", "SP"],
            ["jpki", "sign", "--key", "sign", "--format", "json", "--pin-env", "SP"] + files,
            ["jpki", "login", "--challenge", "0011", "--pin-env", "AP"],
            ["text", "--pin-env", "TP", "--json"],
            ["check", "--text", "--root", textRoot, "--pin-env", "TP", "--json"],
        ] {
            let result = try card.run(arguments, environment: env)
            #expect(result.exitCode == 0, "\(arguments): \(result.stderr)")
        }
        let change = try card.run(["pin", "change", "auth", "--pin-stdin"], input: "\(card.pin("auth"))\n4826\n")
        #expect(change.exitCode == 0, "\(change.stderr)")
        let login = try card.run(["jpki", "login", "--challenge", "0011", "--pin-env", "AP"], environment: ["AP": "4826"])
        #expect(login.exitCode == 0, "\(login.stderr)")
        for pin in ["auth", "sign", "text"] { #expect(try card.pinEntry(pin)?["status"] as? String == "ok") }
    }

    @Test("a batch is signed with one PIN and no extra try whether the card keeps or drops the key's security status",
          arguments: ["kept", "dropped"], ["auth", "sign"])
    func securityAfterSignature(setting: String, key: String) throws {
        let card = try EmulatedCardFixture(settings: ["securityAfterSignature": setting])
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try documents(3, in: dir)
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        // One line on standard input: a second prompt would find nothing and fail.
        let raw = try card.run(["jpki", "sign", "--key", key, "--out-dir", out.path, "--pin-stdin"] + files, input: card.pin(key) + "\n")
        #expect(raw.exitCode == 0, "\(raw.stderr)")
        let certificate = card.profileDirectory.appendingPathComponent("jpki/\(key)-cert.der").path
        for file in files {
            let signature = out.appendingPathComponent(URL(fileURLWithPath: file).lastPathComponent + ".sig").path
            let verify = try EmulatedCardFixture.runMynacard(["jpki", "verify", "--signature", signature, "--cert", certificate, file])
            #expect(verify.exitCode == 0, "\(verify.allOutput)")
        }
        let cms = try card.run(["jpki", "sign", "--key", key, "--cms", "--format", "json", "--pin-stdin"] + files, input: card.pin(key) + "\n")
        #expect(cms.exitCode == 0, "\(cms.stderr)")
        #expect((cms.json?["signatures"] as? [[String: Any]])?.count == 3)
        let login = try card.run(["jpki", "login", "--challenge", "ABCD", "--pin-stdin"], input: card.pin("auth") + "\n")
        #expect(login.exitCode == 0, "\(login.stderr)")
        let entry = try card.pinEntry(key)
        #expect(entry?["triesLeft"] as? Int == entry?["maximumTries"] as? Int)
    }

    @Test("a blocked PIN is blocked whichever answer the card gives to the retry query", arguments: ["63C0", "6984", "6983"])
    func blockedPINAnswer(answer: String) throws {
        let card = try EmulatedCardFixture(profile: "blocked-pin", settings: ["blockedPINAnswer": answer])
        defer { card.stop() }
        #expect(try card.pinEntry("auth")?["status"] as? String == "blocked")
        let check = try card.run(["check", "--json"])
        #expect(check.exitCode == 1)
        #expect((check.checkItem("pin-auth")?["detail"] as? String)?.contains("BLOCKED") == true)
        let login = try card.run(["jpki", "login", "--challenge", "00", "--json"])
        #expect(login.exitCode == 2)
        #expect(login.errorKind == "pin-blocked")
    }

    @Test("a PIN with no retry limit (63 00) is shown as such and never stops a command")
    func unlimitedPIN() throws {
        let card = try EmulatedCardFixture { manifest in
            var applets = manifest["applets"] as? [[String: Any]] ?? []
            for index in applets.indices where applets[index]["name"] as? String == "TextAP" {
                var files = applets[index]["files"] as? [[String: Any]] ?? []
                for file in files.indices where files[file]["fid"] as? String == "0011" {
                    files[file]["pin"] = ["value": "1234", "unlimited": true]
                }
                applets[index]["files"] = files
            }
            manifest["applets"] = applets
        }
        defer { card.stop() }
        let entry = try card.pinEntry("text")
        #expect(entry?["status"] as? String == "unlimited")
        #expect(entry?["triesLeft"] == nil)
        #expect(try card.run(["pin", "status"]).stdoutText.contains("no retry limit"))
        let check = try card.run(["check", "--text", "--root", textRoot, "--pin-stdin", "--json"], input: "1234\n")
        #expect(check.exitCode == 0, "\(check.stdoutText)")
        #expect(check.checkItem("pin-text")?["status"] as? String == "ok")
        let text = try card.run(["text", "--pin-stdin", "--json"], input: "1234\n")
        #expect(text.exitCode == 0, "\(text.stderr)")
    }

    @Test("files read correctly whatever a read past the end answers", arguments: ["jicsap", "iso", "offset-error"])
    func readPastEnd(setting: String) throws {
        try readsEverything(settings: ["readPastEnd": setting])
    }

    /// A reader's limits, as profile settings.
    struct ReaderLimits: Sendable, CustomTestStringConvertible {
        var maximumResponseLength: Int?
        var overLimitAnswer: String?
        var extendedLength: Bool?
        var shortFileIdentifiers: Bool?

        var settings: [String: Any] {
            var settings: [String: Any] = [:]
            if let maximumResponseLength { settings["maximumResponseLength"] = maximumResponseLength }
            if let overLimitAnswer { settings["overLimitAnswer"] = overLimitAnswer }
            if let extendedLength { settings["extendedLength"] = extendedLength }
            if let shortFileIdentifiers { settings["shortFileIdentifiers"] = shortFileIdentifiers }
            return settings
        }
        var testDescription: String { settings.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ") }
    }

    @Test("files read correctly through readers with small limits", arguments: [
        ReaderLimits(maximumResponseLength: 255, extendedLength: false),
        ReaderLimits(maximumResponseLength: 128, overLimitAnswer: "6700"),
        ReaderLimits(maximumResponseLength: 128, overLimitAnswer: "6Cxx", extendedLength: false),
        ReaderLimits(maximumResponseLength: 100, overLimitAnswer: "6Cxx"),
        ReaderLimits(extendedLength: false, shortFileIdentifiers: false),
    ])
    func smallLimits(limits: ReaderLimits) throws {
        try readsEverything(settings: limits.settings)
    }

    /// Certificates, the text and card-face data, every PIN counter and a signature, against a card with `settings`.
    private func readsEverything(settings: [String: Any]) throws {
        let card = try EmulatedCardFixture(settings: settings)
        defer { card.stop() }
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (which, file) in [("auth", "auth-cert"), ("auth-ca", "auth-ca"), ("sign-ca", "sign-ca")] {
            let result = try card.run(["jpki", "cert", which, "--format", "der"])
            #expect(result.exitCode == 0, "\(settings) \(which): \(result.stderr)")
            #expect(result.stdout == (try Data(contentsOf: card.profileDirectory.appendingPathComponent("jpki/\(file).der"))))
        }
        let sign = try card.run(["jpki", "cert", "sign", "--format", "der", "--pin-env", "SP"], environment: ["SP": card.pin("sign")])
        #expect(sign.stdout == (try Data(contentsOf: card.profileDirectory.appendingPathComponent("jpki/sign-cert.der"))), "\(sign.stderr)")
        let check = try card.run(["check", "--text", "--root", textRoot, "--pin-stdin", "--json"], input: card.pin("text") + "\n")
        #expect(check.exitCode == 0, "\(settings): \(check.stdoutText) \(check.stderr)")
        let text = try card.run(["text", "--pin-stdin", "--reveal", "--json"], input: card.pin("text") + "\n")
        #expect(text.json?["myNumber"] as? String == card.holderString("myNumber"), "\(text.stderr)")
        let face = try card.run(["face", "--pin-b", "--pin-stdin", "--json", "-o", dir.appendingPathComponent("face").path], input: card.pin("pinB") + "\n")
        #expect(face.exitCode == 0, "\(face.stderr)")
        let photo = try Data(contentsOf: dir.appendingPathComponent("face/photo.jp2"))
        #expect(photo == (try Data(contentsOf: card.profileDirectory.appendingPathComponent("face/face.jp2"))))
        let files = try documents(1, in: dir)
        let signature = dir.appendingPathComponent("doc.sig").path
        let signed = try card.run(["jpki", "sign", "--key", "auth", files[0], "-o", signature, "--pin-stdin"], input: card.pin("auth") + "\n")
        #expect(signed.exitCode == 0, "\(signed.stderr)")
        let info = try card.run(["info", "--json"])
        #expect(info.json?["tokenLabel"] as? String == "JPKIAPICCTOKEN2")
    }
}

@Suite("Card variants through pcscd", .serialized)
struct CardVariantTests {
    @Test("a card without the signature certificate is green and says so; signing with it stops before any PIN (exit 7)")
    func noSignatureCertificate() throws {
        let card = try EmulatedCardFixture(profile: "no-sign-cert")
        defer { card.stop() }
        let check = try card.run(["check", "--json"])
        #expect(check.exitCode == 0, "\(check.stdoutText)")
        #expect((check.checkItem("jpki-cert-presence")?["detail"] as? String)?.contains("signature certificate is not issued") == true)
        #expect((check.checkItem("pin-sign")?["detail"] as? String)?.contains("not issued") == true)
        #expect(try card.run(["check"]).stdoutText.contains("ALL GREEN"))
        #expect(try card.pinEntry("sign")?["status"] as? String == "not-issued")
        // No PIN source at all: had the command asked for the PIN first, it would end with pin-input (exit 5).
        for arguments in [["jpki", "cert", "sign"], ["jpki", "sign", "--key", "sign", "-"]] {
            let result = try card.run(arguments + ["--json"], input: "data")
            #expect(result.exitCode == 7, "\(arguments): \(result.stderr)")
            #expect(result.errorKind == "not-issued")
            #expect(result.stderr.contains("without a signature certificate"))
        }
        let auth = try card.run(["jpki", "login", "--challenge", "00", "--pin-env", "AP"], environment: ["AP": card.pin("auth")])
        #expect(auth.exitCode == 0, "\(auth.stderr)")
    }

    @Test("where the signing password exists on such a card, nothing is spent on it")
    func noSignatureCertificateButPassword() throws {
        let card = try EmulatedCardFixture(profile: "no-sign-cert") { manifest in
            var applets = manifest["applets"] as? [[String: Any]] ?? []
            var files = applets[0]["files"] as? [[String: Any]] ?? []
            files.append(["fid": "001B", "kind": "pin", "pin": ["value": "ABC123", "maxTries": 5, "triesLeft": 5]])
            applets[0]["files"] = files
            manifest["applets"] = applets
        }
        defer { card.stop() }
        let result = try card.run(["jpki", "cert", "sign", "--pin-env", "SP", "--json"], environment: ["SP": "WRONG9"])
        #expect(result.exitCode == 7)
        #expect(try card.pinEntry("sign")?["triesLeft"] as? Int == 5)
    }

    @Test("a card issued without PINs is explained by check and pin status, whatever it answers", arguments: ["6A88", "6984", "63C0"])
    func noPINs(answer: String) throws {
        let card = try EmulatedCardFixture(profile: "no-pins", settings: ["unsetPINAnswer": answer])
        defer { card.stop() }
        let notSet = answer == "6A88"
        let check = try card.run(["check", "--json"])
        #expect(check.exitCode == (notSet ? 0 : 1), "\(check.stdoutText)")
        #expect((check.checkItem("no-pins-card")?["detail"] as? String)?.contains("顔認証マイナンバーカード") == true)
        #expect(check.checkItem("pin-auth")?["status"] as? String == (notSet ? "ok" : "fail"))
        #expect(check.checkItem("pin-face-b")?["status"] as? String == "ok")
        let status = try card.run(["pin", "status", "--json"])
        #expect(status.exitCode == 0)
        #expect((status.json?["note"] as? String)?.contains("顔認証マイナンバーカード") == true)
        #expect(try card.pinEntry("auth")?["status"] as? String == (notSet ? "not-set" : "blocked"))
        #expect(try card.run(["pin", "status"]).stdoutText.contains("note:"))
        let login = try card.run(["jpki", "login", "--challenge", "00", "--json"])
        #expect(login.exitCode == (notSet ? 7 : 2), "\(login.stderr)")
        #expect(login.errorKind == (notSet ? "pin-not-set" : "pin-blocked"))
        let auth = try card.run(["jpki", "cert", "auth", "--format", "der"])
        #expect(auth.exitCode == 0, "\(auth.stderr)")
    }

    @Test("a smartphone token: the authentication certificate needs the PIN, which jpki cert auth asks for; check is green")
    func smartphoneToken() throws {
        let card = try EmulatedCardFixture(profile: "smartphone-token")
        defer { card.stop() }
        let expected = try Data(contentsOf: card.profileDirectory.appendingPathComponent("jpki/auth-cert.der"))
        let cert = try card.run(["jpki", "cert", "auth", "--format", "der", "--pin-stdin"], input: card.pin("auth") + "\n")
        #expect(cert.exitCode == 0, "\(cert.stderr)")
        #expect(cert.stdout == expected)
        let noPIN = try card.run(["jpki", "cert", "auth", "--json"])
        #expect(noPIN.errorKind == "pin-input", "\(noPIN.stdoutText)")
        #expect(try card.pinEntry("auth")?["triesLeft"] as? Int == 3)
        let info = try card.run(["info", "--json"])
        #expect(info.json?["card"] as? String == "smartphone")
        #expect(info.json?["tokenLabel"] as? String == "JPKIAPGPSETOKEN")
        #expect(info.json?["atrKind"] as? String == "contactless")
        let check = try card.run(["check", "--json"])
        #expect(check.exitCode == 0, "\(check.stdoutText)")
        #expect((check.checkItem("card")?["detail"] as? String)?.contains("smartphone") == true)
        #expect((check.checkItem("cert-auth")?["detail"] as? String)?.contains("only after") == true)
        let login = try card.run(["jpki", "login", "--challenge", "00", "--pin-stdin"], input: card.pin("auth") + "\n")
        #expect(login.exitCode == 0, "\(login.stderr)")
    }

    @Test("on a smartphone token, jpki serial and jpki mykey-id take the authentication PIN like any command, with the guard")
    func smartphoneIdentifiers() throws {
        let card = try EmulatedCardFixture(profile: "smartphone-token")
        defer { card.stop() }
        let serial = try card.run(["jpki", "serial", "--json", "--pin-stdin"], input: card.pin("auth") + "\n")
        #expect(serial.exitCode == 0, "\(serial.stderr)")
        #expect(serial.json?["serialHex"] as? String == card.holderString("authSerialHex"))
        let myKeyID = try card.run(["jpki", "mykey-id", "--json", "--pin-env", "AUTH_PIN"], environment: ["AUTH_PIN": card.pin("auth")])
        #expect(myKeyID.exitCode == 0, "\(myKeyID.stderr)")
        #expect(myKeyID.json?["commonName"] as? String == card.holderString("authCommonName"))
        // Without a PIN source and a terminal: the PIN cannot be read (no try spent); a wrong one costs one try, as anywhere.
        #expect(try card.run(["jpki", "serial", "--json"]).errorKind == "pin-input")
        let wrong = try card.run(["jpki", "serial", "--json", "--pin-stdin"], input: "9999\n")
        #expect(wrong.errorKind == "pin-wrong", "\(wrong.stdoutText)")
        #expect(try card.pinEntry("auth")?["triesLeft"] as? Int == 2)
    }

    @Test("a card with unknown applets (like a next-generation card) is plainly not a current-generation My Number card")
    func unknownApplets() throws {
        let card = try EmulatedCardFixture(profile: "unknown-applets")
        defer { card.stop() }
        let info = try card.run(["info", "--json"])
        #expect(info.exitCode == 0)
        #expect(info.json?["card"] as? String == "not-current-generation")
        #expect(try card.run(["info"]).stdoutText.contains("not a current-generation My Number card"))
        let check = try card.run(["check", "--json"])
        #expect(check.exitCode == 1)
        #expect((check.checkItem("card")?["detail"] as? String)?.contains("not a current-generation My Number card") == true)
        #expect(check.checkItem("atr")?["status"] as? String == "ok")
        for arguments in [["jpki", "cert", "auth"], ["pin", "status"], ["text", "--pin-stdin"]] {
            let result = try card.run(arguments + ["--json"], input: "1234\n")
            #expect(result.exitCode == 4, "\(arguments): \(result.stderr)")
            #expect(result.errorKind == "not-a-my-number-card")
            #expect(result.stderr.contains("not a current-generation My Number card"))
        }
    }
}
