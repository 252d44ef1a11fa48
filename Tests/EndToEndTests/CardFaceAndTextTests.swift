import CZlib
import Foundation
import Testing

/// The test root that certifies the fixtures' text-applet signing key.
private let textRoot = EmulatedCardFixture.packageRoot.appendingPathComponent("fixtures/ca/text-root.pem").path

@Suite("Text applet through pcscd", .serialized)
struct TextAppletTests {
    @Test("the My Number is masked by default and never printed in full")
    func maskedByDefault() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let number = card.holderString("myNumber")
        let result = try card.run(["text", "--pin-stdin"], input: card.pin("text") + "\n")
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdoutText.contains("**** **** " + number.suffix(4)))
        #expect(!result.allOutput.contains(number))
        let json = try card.run(["text", "--pin-stdin", "--json"], input: card.pin("text") + "\n")
        #expect(json.json?["myNumber"] as? String == "**** **** " + number.suffix(4))
        #expect(json.json?["revealed"] as? Bool == false)
        #expect(!json.allOutput.contains(number))
    }

    @Test("the 4 basic info are masked by default, in text and in JSON")
    func basicInfoMaskedByDefault() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let name = card.holderString("name"), address = card.holderString("address")
        for arguments in [["text", "--pin-stdin"], ["text", "--pin-stdin", "--json"]] {
            let result = try card.run(arguments, input: card.pin("text") + "\n")
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(!result.allOutput.contains(name))
            #expect(!result.allOutput.contains(address))
            #expect(!result.allOutput.contains("1990-01-01"))
            #expect(result.stdoutText.contains(String(name.prefix(1)) + "＊＊"))
            #expect(result.stdoutText.contains("東京都＊＊＊"))
        }
        let json = try #require(try card.run(["text", "--pin-stdin", "--json"], input: card.pin("text") + "\n").json)
        #expect(json["birthDate"] as? String == "****-**-**")
        #expect(json["sex"] as? String == "*")
    }

    @Test("--reveal shows the whole My Number, with its check digit verified")
    func reveal() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let result = try card.run(["text", "--pin-stdin", "--reveal", "--json"], input: card.pin("text") + "\n")
        #expect(result.exitCode == 0, "\(result.stderr)")
        let json = try #require(result.json)
        #expect(json["myNumber"] as? String == card.holderString("myNumber"))
        #expect(json["revealed"] as? Bool == true)
        #expect(json["name"] as? String == card.holderString("name"))
        #expect(json["checkDigitValid"] as? Bool == true)
        #expect(json["address"] as? String == card.holderString("address"))
        #expect(json["birthDate"] as? String == "1990-01-01")
        #expect(json["sexCode"] as? String == card.holderString("sex"))
    }

    @Test("a wrong text PIN costs exactly one try and is not echoed")
    func wrongPINCostsOneTry() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let result = try card.run(["text", "--pin-stdin", "--json"], input: "9876\n")
        #expect(result.exitCode == 2)
        #expect((result.json?["error"] as? [String: Any])?["kind"] as? String == "pin-wrong")
        #expect(result.stderr.contains("2 tries remain"))
        #expect(!result.allOutput.contains("9876"))
        let status = try card.run(["pin", "status", "--json"])
        let pins = try #require(status.json?["pins"] as? [[String: Any]])
        #expect(pins.first { $0["pin"] as? String == "text" }?["triesLeft"] as? Int == 2)
        #expect(pins.first { $0["pin"] as? String == "auth" }?["triesLeft"] as? Int == 3)
    }

    @Test("healthy text data is genuine against the test root; without a root it cannot be checked")
    func genuineOnHealthy() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let withRoot = try card.run(["text", "--pin-stdin", "--json", "--root", textRoot], input: card.pin("text") + "\n")
        #expect(withRoot.exitCode == 0, "\(withRoot.stderr)")
        let authenticity = try #require(withRoot.json?["authenticity"] as? [String: Any])
        #expect(authenticity["result"] as? String == "genuine")
        #expect(authenticity["certificateSignedByRoot"] as? Bool == true)
        let withoutRoot = try card.run(["text", "--pin-stdin"], input: card.pin("text") + "\n")
        #expect(withoutRoot.exitCode == 0)
        #expect(withoutRoot.stdoutText.contains("cannot be checked: no root key"))
    }

    @Test("changed text data is reported not genuine, with exit code 1")
    func tamperedIsNotGenuine() throws {
        let card = try EmulatedCardFixture(profile: "tampered-text")
        defer { card.stop() }
        let result = try card.run(["text", "--pin-stdin", "--json", "--root", textRoot], input: card.pin("text") + "\n")
        #expect(result.exitCode == 1)
        let authenticity = try #require(result.json?["authenticity"] as? [String: Any])
        #expect(authenticity["result"] as? String == "not-genuine")
        #expect(authenticity["basicInfoHashMatches"] as? Bool == false)
        #expect(result.stderr.contains("not genuine"))
    }
}

@Suite("Card-face applet through pcscd", .serialized)
struct CardFaceTests {
    @Test("PIN-A exports the photo, the printed images and, with --reveal, the My Number image")
    func pinA() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("face-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try card.run(["face", "--pin-a", "--reveal", "--pin-stdin", "--json", "-o", directory.path], input: card.pin("pinA") + "\n")
        #expect(result.exitCode == 0, "\(result.stderr)")
        let json = try #require(result.json)
        #expect(json["expiryDate"] as? String == "2035-01-01")
        #expect(json["birthDate"] as? String == "1990-01-01")
        let files = try #require(json["files"] as? [String: String])
        for (key, fixture) in [("photoJP2", "face/face.jp2"), ("name", "face/name.png"), ("address", "face/address.png"),
                               ("securityCode", "face/security-code.png"), ("myNumber", "face/my-number.png")] {
            let path = try #require(files[key], "no \(key) file")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: card.profileDirectory.appendingPathComponent(fixture)), "\(key)")
        }
    }

    @Test("PIN-B (era birth date, expiry year, security code) exports the face but not the My Number image")
    func pinB() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("face-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try card.run(["face", "--pin-b", "--pin-stdin", "--json", "-o", directory.path], input: card.pin("pinB") + "\n")
        #expect(result.exitCode == 0, "\(result.stderr)")
        let files = try #require(result.json?["files"] as? [String: String])
        #expect(files["myNumber"] == nil)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("my-number.png").path))
        #expect(files["photoPNG"] != nil)
        #expect(result.json?["birthDate"] as? String == "****-**-**")
        #expect(result.json?["sex"] as? String == "*")
        let revealed = try card.run(["face", "--pin-b", "--reveal", "--pin-stdin", "--json", "-o", directory.path], input: card.pin("pinB") + "\n")
        #expect(revealed.exitCode == 0, "\(revealed.stderr)")
        #expect(revealed.json?["birthDate"] as? String == "1990-01-01")
        #expect((revealed.json?["files"] as? [String: String])?["myNumber"] == nil)
        #expect(revealed.stderr.contains("only with PIN-A"))
    }

    @Test("the card face is genuine against the test root, and cannot be checked without one")
    func faceAuthenticity() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let faceRoot = EmulatedCardFixture.packageRoot.appendingPathComponent("fixtures/ca/face-root.pem").path
        let checked = try card.run(["face", "--pin-b", "--pin-stdin", "--json", "--root", faceRoot], input: card.pin("pinB") + "\n")
        #expect(checked.exitCode == 0, "\(checked.stderr)")
        let authenticity = try #require(checked.json?["authenticity"] as? [String: Any])
        #expect(authenticity["result"] as? String == "genuine")
        #expect(authenticity["signatureMatchesCardKey"] as? Bool == true)
        if let directory = checked.json?["directory"] as? String { try? FileManager.default.removeItem(atPath: directory) }
        let unchecked = try card.run(["face", "--pin-b", "--pin-stdin"], input: card.pin("pinB") + "\n")
        #expect(unchecked.exitCode == 0, "\(unchecked.stderr)")
        #expect(unchecked.stdoutText.contains("data:          cannot be checked: no root key"))
        let wrongRoot = try card.run(["face", "--pin-b", "--pin-stdin", "--root", textRoot], input: card.pin("pinB") + "\n")
        #expect(wrongRoot.exitCode == 1)
        #expect(wrongRoot.stderr.contains("not genuine"))
    }

    @Test("the photo is decoded to a PNG whose pixels are the source image's")
    func photoPNGPixels() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let result = try card.run(["face", "--pin-b", "--pin-stdin", "--json"], input: card.pin("pinB") + "\n")
        #expect(result.exitCode == 0, "\(result.stderr)")
        let directory = try #require(result.json?["directory"] as? String)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let png = try PNGGreyscale(Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent("photo.png")))
        let pgm = [UInt8](try Data(contentsOf: card.profileDirectory.appendingPathComponent("face/face-source.pgm")))
        #expect(Array(pgm.prefix(13)) == Array("P5\n64 80\n255\n".utf8))
        #expect(png.width == 64 && png.height == 80)
        #expect(png.samples == Array(pgm.dropFirst(13)))
    }
}

@Suite("Card health check through pcscd", .serialized)
struct CheckTests {
    @Test("a card without the JPKI applet is red: the applet line fails and nothing else is claimed")
    func noJPKIApplet() throws {
        let card = try EmulatedCardFixture { manifest in
            manifest["applets"] = (manifest["applets"] as? [[String: Any]])?.filter { $0["name"] as? String != "JPKI" }
        }
        defer { card.stop() }
        let result = try card.run(["check", "--json"])
        #expect(result.exitCode == 1, "\(result.stderr)")
        let checks = try #require(result.json?["checks"] as? [[String: Any]])
        #expect(checks.first { $0["id"] as? String == "applet-jpki" }?["status"] as? String == "fail")
        #expect(!checks.contains { ($0["id"] as? String)?.hasPrefix("pin-") == true })
        let info = try card.run(["info", "--json"])
        #expect((info.json?["applets"] as? [String: Bool])?["jpki"] == false)
    }

    @Test("a card read through an NFC reader, whose ATR the reader makes up, is still green")
    func contactlessATR() throws {
        // PC/SC Part 3: 3B 88 80 01, eight bytes from the card's ATQB, and TCK (XOR of all bytes after 3B).
        let body: [UInt8] = [0x88, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x81, 0x81, 0x71]
        let atr = [0x3B] + body + [body.reduce(0, ^)]
        let hex = atr.map { String(format: "%02X", $0) }.joined()
        let card = try EmulatedCardFixture { manifest in manifest["atr"] = hex }
        defer { card.stop() }
        let check = try card.run(["check", "--json"])
        #expect(check.exitCode == 0, "\(check.stdoutText)")
        let info = try card.run(["info", "--json"])
        #expect(info.json?["atr"] as? String == hex)
        #expect(info.json?["atrKind"] as? String == "contactless")
    }

    @Test("a healthy card is all green, with the text data genuine")
    func healthyIsGreen() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let result = try card.run(["check", "--text", "--pin-stdin", "--root", textRoot, "--json"], input: card.pin("text") + "\n")
        #expect(result.exitCode == 0, "\(result.stdoutText) \(result.stderr)")
        #expect(result.json?["ok"] as? Bool == true)
        let checks = try #require(result.json?["checks"] as? [[String: Any]])
        #expect(Set(checks.compactMap { $0["id"] as? String }).isSuperset(of: [
            "applet-jpki", "cert-auth-chain", "pin-auth", "pin-sign", "pin-text", "pin-face-a", "pin-face-b", "text-authenticity",
        ]))
    }

    @Test("without a root key the text data cannot be fully checked, so the card is not all green")
    func noRootIsNotGreen() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let result = try card.run(["check", "--text", "--pin-stdin", "--json"], input: card.pin("text") + "\n")
        #expect(result.exitCode == 1)
        let checks = try #require(result.json?["checks"] as? [[String: Any]])
        let item = try #require(checks.first { $0["id"] as? String == "text-authenticity" })
        #expect(item["status"] as? String == "warning")
        #expect((item["detail"] as? String)?.contains("no root key") == true)
        #expect(checks.first { $0["id"] as? String == "text-check-digit" }?["status"] as? String == "ok")
    }

    @Test("a wrong text PIN during the check is reported as a failed line, not a crash")
    func wrongTextPINInCheck() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let result = try card.run(["check", "--text", "--pin-stdin", "--json"], input: "9173\n")
        #expect(result.exitCode == 1)
        let checks = try #require(result.json?["checks"] as? [[String: Any]])
        let item = try #require(checks.first { $0["id"] as? String == "text-data" })
        #expect(item["status"] as? String == "fail")
        #expect((item["detail"] as? String)?.contains("2 tries remain") == true)
        #expect(!result.allOutput.contains("9173"))
    }

    @Test("red with a reason", arguments: [
        ("blocked-pin", [] as [String], "pin-auth", "BLOCKED"),
        ("expired-cert", [], "cert-auth", "EXPIRED"),
        ("tampered-text", ["--text", "--pin-stdin", "--root", textRoot], "text-authenticity", "NOT genuine"),
    ])
    func red(profile: String, extra: [String], failing: String, reason: String) throws {
        let card = try EmulatedCardFixture(profile: profile)
        defer { card.stop() }
        let result = try card.run(["check", "--json"] + extra, input: card.pin("text") + "\n")
        #expect(result.exitCode == 1, "\(result.stderr)")
        #expect(result.json?["ok"] as? Bool == false)
        let checks = try #require(result.json?["checks"] as? [[String: Any]])
        let item = try #require(checks.first { $0["id"] as? String == failing })
        #expect(item["status"] as? String == "fail")
        #expect((item["detail"] as? String)?.contains(reason) == true, "\(item)")
        let problems = try #require(result.json?["problems"] as? [String])
        #expect(problems.contains { $0.hasPrefix(failing + ":") })
        let text = try card.run(["check"] + extra, input: card.pin("text") + "\n")
        #expect(text.stdoutText.contains("NOT GREEN"))
    }
}

/// An 8-bit greyscale PNG with unfiltered rows, as `mynacard face` writes it, read back with zlib.
struct PNGGreyscale {
    var width = 0, height = 0
    var samples: [UInt8] = []

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw FixtureError("not a PNG") }
        var index = 8, compressed: [UInt8] = []
        func u32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        while index + 8 <= bytes.count {
            let length = u32(index), type = String(decoding: bytes[(index + 4)..<(index + 8)], as: UTF8.self)
            let body = Array(bytes[(index + 8)..<(index + 8 + length)])
            if type == "IHDR" {
                width = u32(index + 8); height = u32(index + 12)
                guard body[8] == 8, body[9] == 0 else { throw FixtureError("not 8-bit greyscale") }
            }
            if type == "IDAT" { compressed += body }
            index += 12 + length
        }
        var rawLength = uLong((width + 1) * height)
        var raw = [UInt8](repeating: 0, count: Int(rawLength))
        guard uncompress(&raw, &rawLength, compressed, uLong(compressed.count)) == Z_OK else { throw FixtureError("bad zlib data") }
        for row in 0..<height {
            guard raw[row * (width + 1)] == 0 else { throw FixtureError("row \(row) is filtered") }
            samples += raw[(row * (width + 1) + 1)..<((row + 1) * (width + 1))]
        }
    }
}
