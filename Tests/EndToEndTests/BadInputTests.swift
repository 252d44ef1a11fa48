import Foundation
import Testing

/// Bad input is refused before any card is touched: a clear message, a documented exit code, no crash.
@Suite("Bad input")
struct BadInputTests {
    @Test("bad files and values give exit 5 with what was wrong", arguments: [
        (["jpki", "sign", "--key", "auth", "/nonexistent/file"], "no such file"),
        (["jpki", "sign", "--key", "auth", "/tmp"], "it is a folder"),
        (["jpki", "verify", "--signature", "/etc/hostname", "--cert", "/etc/hostname", "/etc/hostname"], "is not a bare signature: it looks like text"),
        (["jpki", "verify", "--cms", "--signature", "/etc/hostname", "/etc/hostname"], "is not a usable CMS signature: it is not DER-encoded ASN.1; it looks like text"),
        (["jpki", "login-verify", "/etc/hostname", "--ca", "/etc/hostname"], "not an X.509 certificate"),
        (["text", "--root", "/etc/hostname"], "no -----BEGIN line"),
        (["jpki", "login", "--challenge", "zz!"], "hex or base64"),
        (["face", "--birth-date", "1990-02-30", "--expiry-year", "2035", "--security-code", "4821"], "not a real date"),
        (["face", "--birth-date", "1990-01-01", "--expiry-year", "2999", "--security-code", "4821"], "expiry year must be between"),
        (["face", "--birth-date", "1990-01-01", "--expiry-year", "2035", "--security-code", "48"], "4 digits"),
    ])
    func refused(arguments: [String], message: String) throws {
        let result = try EmulatedCardFixture.runMynacard(arguments, timeout: 20)
        #expect(result.exitCode == 5, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test("wrong usage gives exit 64 and the command's usage", arguments: [
        ["jpki", "sign", "--key", "nope", "x"], ["face"], ["jpki", "cert", "everything"], ["info", "--wait", "7200"],
        ["pin", "change", "face-a"], ["jpki", "sign", "--key", "auth", "-", "--pin-stdin"], ["pin", "change", "juki"],
        ["face", "--birth-date", "1990-01-01"], ["face", "--pin-b", "--foreign-resident"],
        ["face", "--pin-a", "--birth-date", "1990-01-01", "--expiry-year", "2035", "--security-code", "4821"],
    ])
    func usage(arguments: [String]) throws {
        let result = try EmulatedCardFixture.runMynacard(arguments, timeout: 20)
        #expect(result.exitCode == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("Usage:") || result.stderr.contains("Error:"), "\(result.stderr)")
    }
}
