import APDU
import CardIO

/// Why an applet operation failed, with what to do about it. Never carries a PIN.
public enum CardSessionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The card does not have the applet (it is not a My Number card, or not this applet's version).
    case appletNotFound(applet: String, aid: AID)
    /// The card answered a command with an error status.
    case card(StatusWord, during: String)
    /// A wrong PIN was sent; this many tries remain.
    case wrongPIN(PINKind, triesLeft: Int)
    /// The PIN is blocked.
    case pinBlocked(PINKind)
    /// The tool refused to send a try that could block the PIN.
    case lastTryRefused(PINKind)
    /// The PIN does not have the shape the card requires; it was not sent.
    case invalidPINFormat(PINKind, reason: String)
    /// An operation needs a PIN verified first.
    case pinRequired(PINKind, during: String)
    /// The card returned data that does not have the expected structure.
    case malformedData(String)
    /// The card has no such PIN (it was issued without PINs); nothing was sent.
    case pinNotSet(PINKind)
    /// The card was issued without what was asked for (e.g. the signature certificate); the text says
    /// what is missing, why cards are issued without it, and what to do.
    case notIssued(String)
    /// The PIN's retry counter went down while the PIN was being entered (another program tried a PIN):
    /// nothing was sent.
    case counterChanged(PINKind, PINStatus)
    /// The card went away (or stopped answering) while a PIN was being verified: the card may have
    /// counted the try.
    case pinTryInterrupted(PINKind, CardIOError)
    /// The card went away (or stopped answering) while a PIN was being changed: the old or the new PIN
    /// may be in force.
    case pinChangeInterrupted(PINKind, CardIOError)

    public var description: String {
        switch self {
        case .appletNotFound(let applet, let aid):
            "the card has no \(applet) applet (AID \(aid)): this card is not a current-generation My Number card"
        case .card(let status, let during):
            "\(during) failed: \(status.meaning) (\(status.spaced))"
        case .wrongPIN(let kind, let triesLeft):
            triesLeft == 0
                ? "wrong \(kind.displayName); it is now BLOCKED: \(kind.resetAdvice)"
                : "wrong \(kind.displayName); \(triesLeft) \(triesLeft == 1 ? "try remains — the next wrong PIN blocks it" : "tries remain")"
        case .pinBlocked(let kind):
            "the \(kind.displayName) is blocked: \(kind.resetAdvice)"
        case .lastTryRefused(let kind):
            "only one try remains for the \(kind.displayName); a wrong PIN now would block it. "
                + "Nothing was sent to the card. If you are sure of the PIN, run the command again with --force"
        case .invalidPINFormat(let kind, let reason):
            "that is not a valid \(kind.displayName): \(reason). It was not sent to the card, no try was used"
        case .pinRequired(let kind, let during):
            "\(during) needs the \(kind.displayName) verified first"
        case .malformedData(let what):
            "the card returned data in an unexpected form: \(what)"
        case .pinNotSet(let kind):
            "the \(kind.displayName) is not set on this card, so it cannot be used; nothing was sent. "
                + "Cards issued without PINs (顔認証マイナンバーカード, since 2023-12) work only with face recognition or a visual check; "
                + "the municipal office (市区町村窓口) can set PINs on the card"
        case .notIssued(let what):
            what
        case .counterChanged(let kind, let status):
            "the \(kind.displayName)'s retry counter went down while the PIN was being entered (another program tried a PIN): "
                + "it now has \(status). Nothing was sent to the card; check with `mynacard pin status` and run the command again"
        case .pinTryInterrupted(let kind, let cause):
            Self.interrupted(cause, while: "the \(kind.displayName) was being checked")
                + ", so the card may have counted this try. Put the card back and run `mynacard pin status` to see the tries left before you try again"
        case .pinChangeInterrupted(let kind, let cause):
            Self.interrupted(cause, while: "the \(kind.displayName) was being changed")
                + ", so the old or the new PIN may now be in force. Put the card back and run `mynacard pin status` before you try either"
        }
    }
}

extension CardSessionError {
    /// "the card was removed from reader "X" while …", or the I/O error's own words and when it happened.
    private static func interrupted(_ cause: CardIOError, while activity: String) -> String {
        if case .cardRemoved(let reader) = cause { return "the card was removed from reader \"\(reader)\" while \(activity)" }
        return "\(cause), while \(activity)"
    }
}

extension StatusWord {
    /// `"69 82"`.
    var spaced: String { [sw1, sw2].spacedHexString }
}
