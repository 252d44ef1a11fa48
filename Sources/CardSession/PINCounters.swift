/// One PIN's retry counter, as ``CardSession/pinCounters()`` reads it.
public struct PINCounter: Equatable, Sendable {
    /// Which PIN.
    public var kind: PINKind
    /// Its counter; `nil` when the card answers the retry query for it with an error instead.
    public var status: PINStatus?

    /// `ok`, `last-try`, `blocked`, `verified`, `unlimited`, `not-set` or `unknown`: the counter as `pin status --json`
    /// and the counter page name it.
    public var statusCode: String {
        switch status {
        case nil: "unknown"
        case .verified: "verified"
        case .unlimited: "unlimited"
        case .notSet: "not-set"
        case .blocked: "blocked"
        case .remaining(let left): left == 1 ? "last-try" : "ok"
        }
    }
}

extension CardSession {
    /// Every PIN counter of every applet present on the card, read without spending a try.
    /// The JPKI applet must be there (else this is not a My Number card); a PIN whose counter the card
    /// will not report (or that the card was issued without, like the signing password on a card with
    /// no signature certificate) counts as unknown.
    public func pinCounters() throws -> [PINCounter] {
        var counters: [PINCounter] = []
        for applet in CardApplet.allCases {
            if applet == .jpki { try select(applet) } else if !(try hasApplet(applet.aid)) { continue }
            for kind in PINKind.kinds(in: applet) {
                do {
                    counters.append(PINCounter(kind: kind, status: try pinStatus(kind)))
                } catch CardSessionError.card {
                    counters.append(PINCounter(kind: kind, status: nil))
                }
            }
        }
        return counters
    }
}
