import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes `text` to the file `name` in `folder` and returns its path.
@discardableResult
func writeFile(_ text: String, named name: String, in folder: URL) throws -> String {
    let url = folder.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
}

/// `lstat(2)` of a path, for what a test checks about a file after a command wrote it.
func fileStatus(_ path: String) -> stat? {
    var info = stat()
    return lstat(path, &info) == 0 ? info : nil
}

/// Linux's number for the device `major`:`minor` (both small).
func deviceNumber(_ major: UInt64, _ minor: UInt64) -> dev_t {
    dev_t((major & 0xFFF) << 8 | (minor & 0xFF))
}

extension EmulatedCardFixture {
    /// Each PIN's tries left as `pin status` reports them, by its name there ("auth", "sign", "face-b", …).
    func triesLeft() throws -> [String: Int] {
        let pins = try run(["pin", "status", "--json"]).json?["pins"] as? [[String: Any]] ?? []
        return Dictionary(pins.compactMap { entry in
            guard let name = entry["pin"] as? String, let left = entry["triesLeft"] as? Int else { return nil }
            return (name, left)
        }, uniquingKeysWith: { first, _ in first })
    }
}
