import Foundation
import Testing

/// The foundation, through the real stack: pcscd + vpcd + emulator + the `mynacard` binary.
@Suite("Readers, info and certificates through pcscd", .serialized)
struct ReadersAndInfoTests {
    @Test("the virtual reader is listed with the card's ATR")
    func readersListed() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let result = try card.run(["readers", "--json"], selectReader: false)
        #expect(result.exitCode == 0)
        let readers = try #require(result.json?["readers"] as? [[String: Any]])
        let reader = try #require(readers.first { $0["name"] as? String == card.readerName })
        #expect(reader["cardPresent"] as? Bool == true)
        let profile = try JSONSerialization.jsonObject(with: Data(contentsOf: card.profileDirectory.appendingPathComponent("profile.json"))) as? [String: Any]
        #expect(reader["atr"] as? String == profile?["atr"] as? String)
        #expect(reader["atr"] as? String == "3BDA13FF8131FB468012392F31C173C601C03B")
    }

    @Test("info reports the ATR, the three applets and the resident-registry applet, and the JPKI token label")
    func info() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let result = try card.run(["info", "--json"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let json = try #require(result.json)
        #expect(json["atrMatchesMyNumberCard"] as? Bool == true)
        #expect(json["applets"] as? [String: Bool] == ["jpki": true, "text": true, "face": true, "juki": true])
        #expect(json["tokenLabel"] as? String == "JPKIAPICCTOKEN2")
    }

    @Test("each free certificate is read byte-identical to the profile", arguments: [
        ("auth", "jpki/auth-cert.der"), ("auth-ca", "jpki/auth-ca.der"), ("sign-ca", "jpki/sign-ca.der"),
    ])
    func certificateIsByteIdentical(which: String, file: String) throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let result = try card.run(["jpki", "cert", which, "--format", "der"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let expected = try Data(contentsOf: card.profileDirectory.appendingPathComponent(file))
        #expect(result.stdout == expected)
    }

    @Test("PEM output is the same certificate, and -o writes it to a file")
    func pemToFile() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("auth-\(UUID()).pem").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try card.run(["jpki", "cert", "auth", "--format", "pem", "-o", path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let pem = try String(contentsOfFile: path, encoding: .utf8)
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let expected = try Data(contentsOf: card.profileDirectory.appendingPathComponent("jpki/auth-cert.der"))
        #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(Data(base64Encoded: body) == expected)
    }

    @Test("the text and JSON forms of the auth certificate do not show its serial number unless --reveal")
    func certificateSummaryHidesSerial() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let serial = card.holderString("authSerialHex")
        let json = try card.run(["jpki", "cert", "auth", "--format", "json"])
        #expect(json.exitCode == 0)
        #expect(json.json?["subject"] as? String != nil)
        #expect(json.json?["serialHex"] as? String == String(repeating: "*", count: serial.count))
        #expect(!json.allOutput.contains(serial))
        let text = try card.run(["jpki", "cert", "auth", "--format", "text"])
        #expect(text.stdoutText.contains("serial number: ********  (masked"))
        #expect(!text.allOutput.contains(serial))
    }

    @Test("the signature certificate is released after the signing password, given on a file descriptor")
    func signCertificateWithPINOnDescriptor() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let pinFile = card.profileDirectory.appendingPathComponent("../sign-pin").standardized
        FileManager.default.createFile(atPath: pinFile.path, contents: Data((card.pin("sign") + "\n").utf8), attributes: [.posixPermissions: 0o600])
        let mynacard = EmulatedCardFixture.binDirectory.appendingPathComponent("mynacard").path
        // The shell opens the PIN file as descriptor 3, as a kiosk script would, and hands it on.
        let result = try EmulatedCardFixture.runProcess(URL(fileURLWithPath: "/bin/sh"), [
            "-c", "exec 3<\"$1\"; exec \"$2\" jpki cert sign --format der --pin-fd 3 --reader \"$3\"", "sh",
            pinFile.path, mynacard, card.readerName,
        ])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout == (try Data(contentsOf: card.profileDirectory.appendingPathComponent("jpki/sign-cert.der"))))
        #expect(!result.allOutput.contains(card.pin("sign")))
        let withoutPIN = try card.run(["jpki", "cert", "sign", "--json", "--pin-env", "MYNACARD_TEST_UNSET"])
        #expect(withoutPIN.exitCode == 5)
        #expect((withoutPIN.json?["error"] as? [String: Any])?["kind"] as? String == "pin-input")
    }

    @Test("reading retry counters leaves them unchanged")
    func pinStatusDoesNotSpendTries() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        for _ in 0..<3 {
            let result = try card.run(["pin", "status", "--json"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let pins = try #require(result.json?["pins"] as? [[String: Any]])
            let auth = try #require(pins.first { $0["pin"] as? String == "auth" })
            let sign = try #require(pins.first { $0["pin"] as? String == "sign" })
            #expect(auth["triesLeft"] as? Int == 3)
            #expect(sign["triesLeft"] as? Int == 5)
        }
    }
}

@Suite("Missing and vanishing cards", .serialized)
struct MissingCardTests {
    @Test("without a running pcscd every command says how to start it, with exit code 3")
    func serviceDown() throws {
        // pcsc-lite's client finds the daemon through this socket path; nothing listens on this one.
        let environment = ["PCSCLITE_CSOCK_NAME": "/tmp/mynacard-no-such-pcscd.comm"]
        for arguments in [["readers"], ["info", "--json"], ["pin", "status"]] {
            let result = try EmulatedCardFixture.runMynacard(arguments, environment: environment, timeout: 20)
            #expect(result.exitCode == 3, "\(arguments)")
            #expect(result.stderr.contains("start pcscd"))
        }
        let json = try EmulatedCardFixture.runMynacard(["info", "--json"], environment: environment, timeout: 20)
        #expect((json.json?["error"] as? [String: Any])?["kind"] as? String == "pcsc-unavailable")
    }

    @Test("an empty reader gives a clear error and exit code 3")
    func missingCard() throws {
        try EmulatedCardFixture.requirePCSCService()
        let result = try EmulatedCardFixture.runMynacard(["info", "--reader", "Virtual PCD 00 01"])
        #expect(result.exitCode == 3)
        #expect(result.stderr.contains("no card in reader \"Virtual PCD 00 01\""))
    }

    @Test("--wait gives up after its time with a clear error, not a hang")
    func waitTimesOut() throws {
        try EmulatedCardFixture.requirePCSCService()
        let start = Date()
        let result = try EmulatedCardFixture.runMynacard(["info", "--reader", "Virtual PCD 00 01", "--wait", "1", "--json"], timeout: 20)
        #expect(result.exitCode == 3)
        #expect(!result.timedOut)
        #expect(Date().timeIntervalSince(start) < 15)
        #expect((result.json?["error"] as? [String: Any])?["kind"] as? String == "no-card")
        #expect(result.stderr.contains("no card was inserted in reader \"Virtual PCD 00 01\" within 1 second"))
    }

    @Test("--wait returns as soon as the card is inserted, into the named reader or into any", arguments: [true, false])
    func waitForInsertion(namingTheReader: Bool) throws {
        let card = try EmulatedCardFixture(insertNow: false)
        defer { card.stop() }
        nonisolated(unsafe) var result: CommandResult?
        let done = DispatchSemaphore(value: 0)
        let arguments = ["info", "--wait", "30", "--json"] + (namingTheReader ? ["--reader", card.readerName] : [])
        DispatchQueue.global().async {
            result = try? EmulatedCardFixture.runMynacard(arguments, environment: ["MYNACARD_READER": ""], timeout: 40)
            done.signal()
        }
        usleep(800_000)
        try card.insert()
        #expect(done.wait(timeout: .now() + 20) == .success, "info --wait did not return after the card was inserted")
        let info = try #require(result)
        #expect(info.exitCode == 0, "\(info.stderr)")
        #expect(info.json?["reader"] as? String == card.readerName)
        #expect(info.json?["tokenLabel"] as? String == "JPKIAPICCTOKEN2")
    }

    @Test("a reader can be chosen by its index or by part of its name")
    func readerByIndexOrPart() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        for reader in ["0", "PCD 00 00"] {
            let result = try card.run(["info", "--json", "--reader", reader], selectReader: false)
            #expect(result.exitCode == 0, "\(reader): \(result.stderr)")
            #expect(result.json?["reader"] as? String == card.readerName)
        }
        // vpcd gives two readers, "Virtual PCD 00 00" and "Virtual PCD 00 01": "Virtual" names neither alone.
        let ambiguous = try card.run(["info", "--reader", "Virtual", "--json"], selectReader: false)
        #expect(ambiguous.exitCode == 3)
        #expect(ambiguous.stderr.contains("\"Virtual\" is ambiguous"), "\(ambiguous.stderr)")
        #expect(ambiguous.stderr.contains("\"Virtual PCD 00 00\", \"Virtual PCD 00 01\""), "\(ambiguous.stderr)")
        #expect((ambiguous.json?["error"] as? [String: Any])?["kind"] as? String == "reader-ambiguous")
    }

    @Test("an unknown reader name lists the readers that exist")
    func unknownReader() throws {
        try EmulatedCardFixture.requirePCSCService()
        let result = try EmulatedCardFixture.runMynacard(["info", "--reader", "PaSoRi"])
        #expect(result.exitCode == 3)
        #expect(result.stderr.contains("Virtual PCD 00 00"))
    }

    @Test("a card pulled out mid-read gives a clear error and no hang")
    func cardPulledMidRead() throws {
        // Selecting the applet and the file and reading the header take 3 APDUs; the rest of the certificate needs one more.
        let card = try EmulatedCardFixture(pullAfter: 3)
        defer { card.stop() }
        let result = try card.run(["jpki", "cert", "auth", "--format", "der"], timeout: 30)
        #expect(!result.timedOut)
        #expect(result.exitCode == 4 || result.exitCode == 3, "exit \(result.exitCode): \(result.stderr)")
        #expect(result.stderr.contains("removed") || result.stderr.contains("no card"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
