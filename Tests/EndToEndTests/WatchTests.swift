import Foundation
import Testing

/// `mynacard watch`: one JSON line per reader or card event, through pcscd, as cards go in and out.
@Suite("Card events (watch) through pcscd", .serialized)
struct WatchTests {
    private static let secondReader = "Virtual PCD 00 01"

    private func json(_ line: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
    }

    private func isEvent(_ event: String, in reader: String) -> (String) -> Bool {
        { line in
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
            return object["event"] as? String == event && object["reader"] as? String == reader
        }
    }

    @Test("cards inserted and pulled in two readers are reported one JSON line each; --exec runs per insertion")
    func insertAndPull() throws {
        let card = try EmulatedCardFixture(insertNow: false)
        defer { card.stop() }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let log = work.appendingPathComponent("exec.log").path
        let watch = try BackgroundProcess(EmulatedCardFixture.binDirectory.appendingPathComponent("mynacard"),
                                          ["watch", "--json", "--exec", "printf '%s %s\\n' \"$MYNACARD_READER\" \"$MYNACARD_CARD_KIND\" >> '\(log)'"])
        defer { watch.stop() }

        // The readers already there come first, marked initial.
        let start = try #require(watch.waitForLine(where: isEvent("reader-added", in: Self.secondReader)), "\(watch.stderr)")
        #expect(json(start)["initial"] as? Bool == true)
        #expect(watch.lines.contains(where: isEvent("reader-added", in: card.readerName)))

        try card.insert()
        let inserted = try #require(watch.waitForLine(where: isEvent("card-inserted", in: card.readerName)))
        #expect(json(inserted)["atr"] as? String == "3BDA13FF8131FB468012392F31C173C601C03B")
        #expect(json(inserted)["atrKind"] as? String == "contact")
        #expect(json(inserted)["cardKind"] as? String == "my-number-card")
        #expect(json(inserted)["initial"] as? Bool == false)

        // A second card in the second reader (port 35964), then both pulled out.
        let second = try BackgroundProcess(EmulatedCardFixture.binDirectory.appendingPathComponent("mynacard-emulator"),
                                           ["--profile", card.profileDirectory.path, "--port", "35964"])
        defer { second.stop() }
        #expect(watch.waitForLine(where: isEvent("card-inserted", in: Self.secondReader)) != nil, "\(second.stderr)")
        second.stop()
        let removed = try #require(watch.waitForLine(where: isEvent("card-removed", in: Self.secondReader)))
        #expect(json(removed)["atr"] as? String == "3BDA13FF8131FB468012392F31C173C601C03B")
        card.pull()
        #expect(watch.waitForLine(where: isEvent("card-removed", in: card.readerName)) != nil)

        // Every line is one JSON object; the events of the first reader come in order.
        #expect(watch.lines.filter { !$0.isEmpty }.allSatisfy { !json($0).isEmpty })
        let first = watch.lines.map(json).filter { $0["reader"] as? String == card.readerName }.compactMap { $0["event"] as? String }
        #expect(first == ["reader-added", "card-inserted", "card-removed"])

        // The command ran once per insertion with the reader's name (it runs on its own: give it a moment).
        var ran: [String] = []
        for _ in 0..<100 where ran.count < 2 {
            ran = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            usleep(50_000)
        }
        #expect(ran.sorted() == ["\(card.readerName) my-number-card", "\(Self.secondReader) my-number-card"])
        // Ctrl-C ends it cleanly.
        #expect(watch.signal(SIGINT) == 0)
    }

    @Test("a card already in the reader when watch starts is reported, marked initial")
    func cardAlreadyThere() throws {
        let card = try EmulatedCardFixture()
        defer { card.stop() }
        let watch = try BackgroundProcess(EmulatedCardFixture.binDirectory.appendingPathComponent("mynacard"), ["watch", "--json"])
        defer { watch.stop() }
        let line = try #require(watch.waitForLine(where: isEvent("card-inserted", in: card.readerName)), "\(watch.stderr)")
        #expect(json(line)["initial"] as? Bool == true)
        #expect(watch.signal(SIGTERM) == 0)
    }
}
