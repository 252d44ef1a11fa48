import APDU
import Foundation

/// Keeps an emulated card's PIN counters and changed PINs in a JSON file, so that a card blocked in
/// one run is still blocked in the next, as a real card is.
public final class CardStateStore: @unchecked Sendable {
    private let url: URL
    private var entries: [String: Entry]

    struct Entry: Codable {
        var value: String
        var triesLeft: Int
    }

    /// Opens (or starts) the state file at `url`.
    public init(url: URL) throws {
        self.url = url
        if FileManager.default.fileExists(atPath: url.path) {
            do {
                entries = try JSONDecoder().decode([String: Entry].self, from: Data(contentsOf: url))
            } catch {
                throw ProfileError.invalid(url.path, reason: "the card state file is not valid JSON: \(error)")
            }
        } else {
            entries = [:]
        }
    }

    func apply(to applets: inout [CardProfile.Applet]) {
        for appletIndex in applets.indices {
            for (fid, file) in applets[appletIndex].files {
                guard case .pin(_, let maximum, _) = file.content,
                      let entry = entries[key(applets[appletIndex].aid, fid)] else { continue }
                applets[appletIndex].files[fid]?.content = .pin(value: Array(entry.value.utf8), maximumTries: maximum, triesLeft: min(entry.triesLeft, maximum))
            }
        }
    }

    func record(aid: AID, fid: FileID, value: [UInt8], triesLeft: Int) {
        entries[key(aid, fid)] = Entry(value: String(decoding: value, as: UTF8.self), triesLeft: triesLeft)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if let data = try? encoder.encode(entries) { try? data.write(to: url, options: .atomic) }
    }

    private func key(_ aid: AID, _ fid: FileID) -> String { "\(aid)/\(fid)" }
}
