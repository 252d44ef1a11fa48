import APDU

/// How a hostile or broken card misbehaves at the protocol level, for tests that mynacard still ends cleanly,
/// in bounded time and memory. Set in a profile's `"hostile"` object (fixtures/README.md, "Hostile
/// profiles"); a card-true profile has none. Hostile file contents need no setting: they are just files.
public struct HostileBehaviour: Equatable, Sendable, Decodable {
    /// From this many commands on, every READ BINARY and GET RESPONSE is answered with 16 filler bytes
    /// and `61 10` — "more data waits" — for ever.
    public var endlessMoreDataAfter: Int?
    /// From this many commands on, the card takes commands and never answers them: the reader waits.
    /// Only the virtual reader link can show this; the in-memory transport answers as before.
    public var silentAfter: Int?

    /// Creates a behaviour (both unset: the card behaves).
    public init(endlessMoreDataAfter: Int? = nil, silentAfter: Int? = nil) {
        self.endlessMoreDataAfter = endlessMoreDataAfter
        self.silentAfter = silentAfter
    }

    /// The hostile answer to the command with instruction byte `ins`, the `count`-th command since the card
    /// was made (from 0), or `nil` to answer as the card does.
    func answer(instruction ins: UInt8, count: Int) -> [UInt8]? {
        guard let start = endlessMoreDataAfter, count >= start, ins == 0xB0 || ins == 0xC0 else { return nil }
        return [UInt8](repeating: 0x5A, count: 16) + [0x61, 0x10]
    }

    /// Whether the `count`-th command (from 0) goes unanswered.
    func isSilent(count: Int) -> Bool {
        silentAfter.map { count >= $0 } ?? false
    }
}
