import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `mynacard counter` in a real browser (headless Chromium through WebDriver) with the emulated card in pcscd:
/// what staff see as cards go in and out. `scripts/screenshots` runs these with MYNACARD_SCREENSHOTS=docs.
@Suite("Counter page in a browser", .serialized)
struct CounterPageTests {
    /// Runs `body` with the emulated card of `profile` (inserted unless `insertNow` is false), `mynacard counter`
    /// following its reader with `language` labels, and a browser showing the page; ends all three afterwards.
    private func onPage(_ profile: String = "healthy", insertNow: Bool = true, language: String = "en",
                        _ body: (EmulatedCardFixture, Browser) throws -> Void) throws {
        let card = try EmulatedCardFixture(profile: profile, insertNow: insertNow)
        defer { card.stop() }
        let server = try CounterPageServer(language: language)
        defer { server.stop() }
        let browser = try Browser()
        defer { browser.close() }
        try browser.open(server.url)
        try body(card, browser)
    }

    /// Types PIN-B as printed on the test card's face (birth date, expiry year, security code) and sends it.
    private func typePINB(_ browser: Browser, securityCode: String = "4821") throws {
        try browser.type("#birth-date", "1990-01-01")
        try browser.type("#expiry-year", "2035")
        try browser.type("#security-code", securityCode)
        try browser.click("#unlock-button")
    }

    @Test("insert a card: reading, then the card without a PIN; PIN-B: photo and a green summary; pull it: cleared")
    func insertUnlockPull() throws {
        try onPage(insertNow: false) { card, browser in
            try browser.wait("#phase", "data-phase", equals: "insert-card")
            try browser.wait("#phase", "text", equals: "Insert a card.")
            try browser.screenshot("counter-waiting.png")

            try card.insert()
            try browser.wait("#phase", "data-phase", equals: "card")
            try browser.wait("#summary", "data-status", equals: "pending")
            #expect(try browser.texts("#summary-reasons li").first?.contains("Type PIN-B") == true)
            #expect(try browser.texts("#pins tr").count == 8, "every PIN counter")
            #expect(try browser.value("#pins tr[data-pin='face-b']", "data-tries-left") == "10")
            #expect(try browser.texts("#certificates li").allSatisfy { $0.contains("valid until") })
            #expect(try browser.value("#card-kind", "text") == "a My Number card")
            #expect(try browser.value("#card-atr", "text")?.contains("a My Number card's ATR, contact") == true)
            #expect(try browser.value("#chip-verdict", "data-result") == "cannot-check", "no chip check without a PIN")
            try browser.screenshot("counter-card.png")

            try typePINB(browser)
            try browser.wait("#summary", "data-status", equals: "green")
            #expect(try browser.value("#summary-title", "text") == "OK: genuine card face on its own chip")
            #expect(try browser.value("#face-photo", "src")?.hasPrefix("data:image/png;base64,") == true)
            #expect(try browser.value("#face-name", "src")?.hasPrefix("data:image/png;base64,") == true)
            #expect(try browser.value("#face-address", "src")?.hasPrefix("data:image/png;base64,") == true)
            #expect(try browser.value("#face-birth-date", "text") == "1990-01-01")
            #expect(try browser.value("#face-expiry-date", "text") == "2035-01-01")
            #expect(try browser.value("#data-verdict", "data-result") == "genuine")
            #expect(try browser.value("#chip-verdict", "data-result") == "genuine")
            #expect(try browser.value("#security-code", "value") == "", "the typed code does not stay in the page")
            try browser.screenshot("counter-green.png")

            card.pull()
            try browser.wait("#phase", "data-phase", equals: "insert-card", timeout: 10)
            #expect(try browser.value("#card", "hidden") == "true")
            #expect(try browser.value("#summary", "data-status") == "none")
            #expect(try browser.value("#face-photo", "src") == nil, "the photo is gone from the page")
            #expect(try browser.value("#birth-date", "value") == "")
        }
    }

    @Test("a wrong PIN-B spends one try, and the page says so and shows the counter")
    func wrongPINB() throws {
        try onPage { card, browser in
            try browser.wait("#summary", "data-status", equals: "pending")
            try typePINB(browser, securityCode: "1111")
            try browser.wait("#notice", "data-kind", equals: "pin-wrong")
            #expect(try browser.value("#notice", "text")?.contains("Card face PIN-B: wrong, 9 tries left.") == true)
            try browser.wait("#pins tr[data-pin='face-b']", "data-tries-left", equals: "9")
            #expect(try browser.value("#summary", "data-status") == "pending")
            #expect(try browser.value("#face", "hidden") == "true")
            try browser.screenshot("counter-wrong-pin-b.png")
            let status = try card.run(["pin", "status", "--json"])
            let pins = try #require(status.json?["pins"] as? [[String: Any]])
            #expect(pins.first { $0["pin"] as? String == "face-b" }?["triesLeft"] as? Int == 9, "exactly one try was spent")
        }
    }

    @Test("a blocked PIN makes the summary red with the reason (Japanese page)")
    func blockedPIN() throws {
        try onPage("blocked-pin", language: "ja") { _, browser in
            try browser.wait("#summary", "data-status", equals: "red")
            try browser.wait("#summary-reasons li[data-code='pin-blocked']", "text", contains: "利用者証明用暗証番号がロックされています")
            #expect(try browser.value("#pins tr[data-pin='auth']", "data-status") == "blocked")
            #expect(try browser.value("html", "lang") == "ja")
            try typePINB(browser)
            try browser.wait("#data-verdict", "data-result", equals: "genuine")
            #expect(try browser.value("#summary", "data-status") == "red", "a genuine card face does not hide a blocked PIN")
            try browser.screenshot("counter-blocked-pin-ja.png")
        }
    }

    @Test("a copy of the card's data on another chip: data genuine, chip NOT genuine, red")
    func clonedChip() throws {
        try onPage("cloned-chip") { _, browser in
            try browser.wait("#summary", "data-status", equals: "pending")
            try typePINB(browser)
            try browser.wait("#summary", "data-status", equals: "red")
            #expect(try browser.value("#data-verdict", "data-result") == "genuine")
            #expect(try browser.value("#chip-verdict", "data-result") == "not-genuine")
            #expect(try browser.texts("#summary-reasons li").contains { $0.contains("The chip is NOT the one the data was issued on") })
            try browser.screenshot("counter-cloned-chip.png")
        }
    }
}

/// The server itself, without a browser: where it listens and what it refuses.
@Suite("Counter page server", .serialized)
struct CounterServerTests {
    /// Sends `request` (a whole HTTP/1.1 request) to 127.0.0.1:`port` and reads the answer until `enough` says it has
    /// what it needs (by default, the status line and headers), or 20 seconds pass.
    private func send(_ request: String, to port: Int, until enough: (String) -> Bool = { $0.contains("\r\n\r\n") }) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("no socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw FixtureError("cannot connect to port \(port)") }
        var wait = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(20)
        while !enough(String(decoding: response, as: UTF8.self)) && Date() < deadline {
            let got = recv(fd, &buffer, buffer.count, 0)
            if got == 0 { break }
            if got > 0 { response += buffer[0..<got] }
        }
        return String(decoding: response, as: UTF8.self)
    }

    private func post(_ form: String, to port: Int) throws -> String {
        try send("POST /unlock HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nOrigin: http://127.0.0.1:\(port)\r\n"
                 + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\nConnection: close\r\n\r\n\(form)",
                 to: port, until: { $0.hasSuffix("}") })
    }

    private func port(_ server: CounterPageServer) throws -> Int {
        try #require(Int(server.url.dropFirst("http://127.0.0.1:".count).dropLast()))
    }

    @Test("it listens on 127.0.0.1 only and refuses requests whose Host or Origin is not its own")
    func refusesOthers() throws {
        // The server follows the reader: hold it (no card in it) so that no other test's card is read meanwhile.
        let reader = try EmulatedCardFixture(insertNow: false)
        defer { reader.stop() }
        let server = try CounterPageServer()
        defer { server.stop() }
        let port = try port(server)
        // /proc/net/tcp: the listening socket (state 0A) is bound to 127.0.0.1 (0100007F), not to every address.
        let portSuffix = String(format: ":%04X", port)
        let rows: [[Substring]] = try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        let listening: [String] = rows.filter { row in row.count > 3 && row[3] == "0A" && row[1].hasSuffix(portSuffix) }.map { String($0[1]) }
        #expect(listening == ["0100007F" + portSuffix])

        let own = try send("GET / HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n", to: port)
        #expect(own.hasPrefix("HTTP/1.1 200"))
        #expect(own.lowercased().contains("cache-control: no-store"))
        #expect(own.lowercased().contains("content-security-policy: default-src 'none'"))
        let rebound = try send("GET / HTTP/1.1\r\nHost: attacker.example:\(port)\r\nConnection: close\r\n\r\n", to: port)
        #expect(rebound.hasPrefix("HTTP/1.1 403"), "a DNS-rebinding name is refused")
        #expect(rebound.lowercased().contains("cache-control: no-store"))
        let foreignPage = try send("GET /events HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nOrigin: https://attacker.example\r\nConnection: close\r\n\r\n", to: port)
        #expect(foreignPage.hasPrefix("HTTP/1.1 403"), "another site's page cannot follow the card")
        let crossSite = try send("GET /events HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nSec-Fetch-Site: cross-site\r\nConnection: close\r\n\r\n", to: port)
        #expect(crossSite.hasPrefix("HTTP/1.1 403"))
        let form = "method=pin-b&birthDate=1990-01-01&expiryYear=2035&securityCode=4821"
        let noOrigin = try send("POST /unlock HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                                + "Content-Length: \(form.utf8.count)\r\nConnection: close\r\n\r\n\(form)", to: port)
        #expect(noOrigin.hasPrefix("HTTP/1.1 403"), "a PIN is taken only from the server's own page")
        let noCard = try send("POST /unlock HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nOrigin: http://127.0.0.1:\(port)\r\n"
                              + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\nConnection: close\r\n\r\n\(form)", to: port)
        #expect(noCard.hasPrefix("HTTP/1.1 409"), "no card on screen: nothing to unlock")
    }

    @Test("PIN-A opens the card face too; a My Number with a wrong check digit is refused before it reaches the card")
    func pinA() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let server = try CounterPageServer()
        defer { server.stop() }
        let port = try port(server)
        let ready = try send("GET /events HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n", to: port, until: { $0.contains("\"phase\":\"card\"") })
        #expect(ready.contains("\"phase\":\"card\""), "the card was read")
        let mistyped = try post("method=pin-a&myNumber=123456789011", to: port)
        #expect(mistyped.contains("\"error\":\"pin-invalid\""))
        #expect(try post("method=pin-a&myNumber=\(card.pin("pinA"))", to: port).contains("\"ok\":true"))
        let state = try send("GET /events HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n", to: port, until: { $0.contains("\"status\":\"green\"") })
        #expect(state.contains("\"method\":\"pin-a\""))
        #expect(state.contains("\"status\":\"green\""))
        #expect(state.contains("\"pin\":\"face-a\",\"status\":\"ok\",\"triesLeft\":10"), "the mistyped My Number cost no try")
        #expect(!server.process.stderr.contains(card.pin("pinA")) && !server.process.lines.joined().contains(card.pin("pinA")), "nothing logged")
    }

    @Test("a second server on the same port is refused with a clear message")
    func portInUse() throws {
        let reader = try EmulatedCardFixture(insertNow: false)
        defer { reader.stop() }
        let server = try CounterPageServer()
        defer { server.stop() }
        let result = try EmulatedCardFixture.runMynacard(["counter", "--port", String(try port(server))], timeout: 30)
        #expect(result.exitCode == 5)
        #expect(result.stderr.contains("cannot serve the counter page on 127.0.0.1:"))
    }
}
