import Foundation

/// A headless Chromium driven through WebDriver (selenium, in the virtual environment `scripts/test` makes in
/// `.build/test-tools/selenium`) by `Tests/Browser/page_driver.py`, for the counter page's end-to-end tests. Its profile
/// and home folder are a temporary folder of its own, removed by ``close()``.
final class Browser {
    private let driver: BackgroundProcess
    private let home: URL
    private var closed = false

    /// The Python that has selenium: `$MYNACARD_BROWSER_PYTHON`, else `.build/test-tools/selenium/bin/python3`.
    static let python: URL = {
        if let path = ProcessInfo.processInfo.environment["MYNACARD_BROWSER_PYTHON"] { return URL(fileURLWithPath: path) }
        return EmulatedCardFixture.packageRoot.appendingPathComponent(".build/test-tools/selenium/bin/python3")
    }()

    /// Starts Chromium.
    init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python.path), FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver") else {
            throw FixtureError("the counter page's browser tests need Chromium, chromedriver and selenium: run them with scripts/test, "
                               + "which installs Debian's chromium and chromium-driver and selenium in .build/test-tools/selenium")
        }
        home = FileManager.default.temporaryDirectory.appendingPathComponent("browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let script = EmulatedCardFixture.packageRoot.appendingPathComponent("Tests/Browser/page_driver.py")
        driver = try BackgroundProcess(Self.python, [script.path, home.appendingPathComponent("profile").path],
                                       environment: ["HOME": home.path, "XDG_CONFIG_HOME": home.path, "XDG_CACHE_HOME": home.path],
                                       acceptsInput: true)
        guard driver.waitForLine(timeout: 60, where: { $0.contains("\"ready\"") }) != nil else {
            let why = driver.stderr
            close()
            throw FixtureError("Chromium did not start: \(why)")
        }
    }

    deinit { close() }

    /// Sends one command and returns its value; a failed command throws with the driver's words.
    @discardableResult
    private func command(_ object: [String: Any], timeout: Double = 60) throws -> Any? {
        let answered = driver.lines.count
        driver.send(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        guard let line = driver.waitForLine(after: answered, timeout: timeout, where: { $0.hasPrefix("{") }),
              let answer = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw FixtureError("the browser did not answer \(object["op"] ?? ""): \(driver.stderr.suffix(2000))")
        }
        guard answer["ok"] as? Bool == true else { throw FixtureError("browser: \(answer["error"] ?? "failed")") }
        return answer["value"] is NSNull ? nil : answer["value"]
    }

    func open(_ url: String) throws { try command(["op": "open", "url": url]) }

    /// Waits until `css`'s `attribute` ("text" for its text, "hidden" for whether it shows) equals `value`.
    func wait(_ css: String, _ attribute: String, equals value: Any, timeout: Double = 30) throws {
        try command(["op": "wait", "css": css, "attribute": attribute, "equals": value, "timeout": timeout], timeout: timeout + 30)
    }

    /// Waits until `css`'s `attribute` contains `text`.
    func wait(_ css: String, _ attribute: String, contains text: String, timeout: Double = 30) throws {
        try command(["op": "wait", "css": css, "attribute": attribute, "contains": text, "timeout": timeout], timeout: timeout + 30)
    }

    /// `css`'s `attribute` now (`nil` when there is no such element or attribute); "hidden" gives "true" or "false".
    func value(_ css: String, _ attribute: String) throws -> String? {
        switch try command(["op": "get", "css": css, "attribute": attribute]) {
        case nil: nil
        case let text as String: text
        case let flag as Bool: flag ? "true" : "false"
        case let other?: "\(other)"
        }
    }

    /// The text of every element `css` selects.
    func texts(_ css: String) throws -> [String] {
        try command(["op": "texts", "css": css]) as? [String] ?? []
    }

    func type(_ css: String, _ text: String) throws { try command(["op": "type", "css": css, "text": text]) }

    func click(_ css: String) throws { try command(["op": "click", "css": css]) }

    /// Saves a screenshot as `name` in `$MYNACARD_SCREENSHOTS` when that is set (`scripts/screenshots` sets it to
    /// docs/); otherwise takes none.
    func screenshot(_ name: String) throws {
        guard let folder = ProcessInfo.processInfo.environment["MYNACARD_SCREENSHOTS"] else { return }
        try command(["op": "screenshot", "path": URL(fileURLWithPath: folder).appendingPathComponent(name).path])
    }

    /// Ends Chromium and removes its folder.
    func close() {
        guard !closed else { return }
        closed = true
        driver.send("{\"op\": \"quit\"}")
        let deadline = Date().addingTimeInterval(10)
        while driver.isRunning && Date() < deadline { usleep(50_000) }
        driver.stop()
        try? FileManager.default.removeItem(at: home)
    }
}

/// `mynacard counter` serving the page on a free port of 127.0.0.1, following the emulated card's reader.
final class CounterPageServer {
    let process: BackgroundProcess
    /// `http://127.0.0.1:PORT/`.
    let url: String

    init(language: String = "en", reader: String = "Virtual PCD 00 00") throws {
        let faceRoot = EmulatedCardFixture.packageRoot.appendingPathComponent("fixtures/ca/face-root.pem").path
        process = try BackgroundProcess(EmulatedCardFixture.binDirectory.appendingPathComponent("mynacard"),
                                        ["counter", "--port", "0", "--lang", language, "--root", faceRoot, "--reader", reader])
        guard let line = process.waitForLine(where: { $0.contains("http://127.0.0.1:") }),
              let start = line.range(of: "http://127.0.0.1:"),
              let end = line[start.upperBound...].firstIndex(of: "/") else {
            throw FixtureError("mynacard counter did not start: \(process.stderr)")
        }
        url = String(line[start.lowerBound...end])
    }

    func stop() { process.stop() }
}
