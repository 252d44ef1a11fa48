import Foundation
import Testing

/// OpenSC's JPKI driver was written by others against real cards. If it reads our emulated card,
/// the emulator is faithful where OpenSC looks: ATR, AID selection, file selection, READ BINARY.
@Suite("OpenSC reads the emulated card", .serialized)
struct OpenSCInteropTests {
    static let pkcs15Tool = URL(fileURLWithPath: "/usr/bin/pkcs15-tool")

    @Test("pkcs15-tool lists the four JPKI certificates")
    func listsCertificates() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let result = try EmulatedCardFixture.runProcess(Self.pkcs15Tool, ["--reader", "0", "--list-certificates"], timeout: 60)
        #expect(result.exitCode == 0, "\(result.stderr)")
        for label in ["User Authentication Certificate", "Digital Signature Certificate", "User Authentication Certificate CA", "Digital Signature Certificate CA"] {
            #expect(result.stdoutText.contains("[\(label)]"), "\(result.stdoutText)")
        }
    }

    @Test("pkcs15-tool reads the authentication certificate byte-identical to the profile")
    func readsAuthenticationCertificate() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let result = try EmulatedCardFixture.runProcess(Self.pkcs15Tool, ["--reader", "0", "--read-certificate", "01"], timeout: 60)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let body = result.stdoutText.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let expected = try Data(contentsOf: card.profileDirectory.appendingPathComponent("jpki/auth-cert.der"))
        #expect(Data(base64Encoded: body) == expected)
    }

    @Test("OpenSC and mynacard agree on the authentication PIN's tries")
    func pinCounterAgrees() throws {
        let card = try EmulatedCardFixture(profile: "last-try")
        defer { card.stop() }
        let result = try EmulatedCardFixture.runProcess(Self.pkcs15Tool, ["--reader", "0", "--list-pins"], timeout: 60)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdoutText.contains("Tries left     : 1"), "\(result.stdoutText)")
        let ours = try card.run(["pin", "status", "--json"])
        let pins = ours.json?["pins"] as? [[String: Any]] ?? []
        #expect(pins.first { $0["pin"] as? String == "auth" }?["triesLeft"] as? Int == 1)
    }
}
