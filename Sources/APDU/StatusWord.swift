/// The two status bytes that end every response (ISO/IEC 7816-4 §5.6), with their meaning on this card.
public struct StatusWord: Hashable, Sendable, CustomStringConvertible {
    /// First status byte.
    public let sw1: UInt8
    /// Second status byte.
    public let sw2: UInt8

    /// Creates a status word from its bytes.
    public init(sw1: UInt8, sw2: UInt8) {
        self.sw1 = sw1
        self.sw2 = sw2
    }

    /// Creates a status word from its 16-bit value, e.g. `0x9000`.
    public init(_ value: UInt16) {
        self.init(sw1: UInt8(value >> 8), sw2: UInt8(value & 0xFF))
    }

    /// The status word as a 16-bit value.
    public var value: UInt16 { UInt16(sw1) << 8 | UInt16(sw2) }

    /// `90 00`: done.
    public static let success = StatusWord(0x9000)
    /// `63 00`: verification failed, with no retry counter (a PIN without a retry limit).
    public static let verificationFailed = StatusWord(0x6300)
    /// `62 82`: the file ended before the requested length.
    public static let endOfFileReached = StatusWord(0x6282)
    /// `67 00`: wrong length.
    public static let wrongLength = StatusWord(0x6700)
    /// `69 82`: a PIN must be verified first.
    public static let securityStatusNotSatisfied = StatusWord(0x6982)
    /// `69 83`: the PIN is blocked.
    public static let authenticationMethodBlocked = StatusWord(0x6983)
    /// `69 84`: the PIN (reference data) is blocked or unusable.
    public static let referenceDataNotUsable = StatusWord(0x6984)
    /// `69 85`: conditions of use not satisfied.
    public static let conditionsOfUseNotSatisfied = StatusWord(0x6985)
    /// `69 86`: no file is selected.
    public static let commandNotAllowedNoEF = StatusWord(0x6986)
    /// `6A 80`: incorrect data.
    public static let wrongData = StatusWord(0x6A80)
    /// `6A 82`: no such file or applet.
    public static let fileNotFound = StatusWord(0x6A82)
    /// `6A 86`: incorrect P1/P2.
    public static let incorrectP1P2 = StatusWord(0x6A86)
    /// `6A 88`: referenced data not found.
    public static let referencedDataNotFound = StatusWord(0x6A88)
    /// `6B 00`: offset outside the file.
    public static let wrongParametersOffsetOutside = StatusWord(0x6B00)
    /// `6D 00`: unknown instruction.
    public static let instructionNotSupported = StatusWord(0x6D00)
    /// `6E 00`: unknown class.
    public static let classNotSupported = StatusWord(0x6E00)
    /// `6F 00`: an error without details.
    public static let noPreciseDiagnosis = StatusWord(0x6F00)

    /// `90 00`: the command completed.
    public var isSuccess: Bool { value == 0x9000 }

    /// `61 xx`: that many more response bytes wait to be fetched with GET RESPONSE (`00` means 256).
    public var moreDataAvailable: Int? { sw1 == 0x61 ? (sw2 == 0 ? 256 : Int(sw2)) : nil }

    /// `6C xx`: the command must be re-sent with `Le` = xx (`00` means 256).
    public var correctLength: Int? { sw1 == 0x6C ? (sw2 == 0 ? 256 : Int(sw2)) : nil }

    /// `63 Cx`: a PIN check failed or was queried, and x tries remain.
    public var retriesRemaining: Int? { sw1 == 0x63 && sw2 & 0xF0 == 0xC0 ? Int(sw2 & 0x0F) : nil }

    /// `69 83` / `69 84`: the PIN (or key) is blocked.
    public var isBlocked: Bool { self == .authenticationMethodBlocked || self == .referenceDataNotUsable }

    /// What the status word means, in plain language.
    public var meaning: String {
        if isSuccess { return "the command completed" }
        if let more = moreDataAvailable { return "\(more) more byte(s) of response wait to be read" }
        if let length = correctLength { return "wrong expected length; the card can return \(length) byte(s)" }
        if let tries = retriesRemaining {
            return tries == 0 ? "wrong PIN; no tries remain, the PIN is now blocked"
                : "wrong PIN; \(tries) \(tries == 1 ? "try remains" : "tries remain")"
        }
        switch value {
        case 0x6282: return "the end of the file was reached before the requested length"
        case 0x6300: return "verification failed (this PIN has no retry counter)"
        case 0x6581: return "the card's memory failed"
        case 0x6700: return "wrong length in the command"
        case 0x6881: return "logical channel not supported"
        case 0x6882: return "secure messaging not supported"
        case 0x6981: return "the command is incompatible with the file's structure"
        case 0x6982: return "security status not satisfied: verify the PIN first"
        case 0x6983: return "the PIN is blocked"
        case 0x6984: return "the PIN (reference data) is blocked or not usable"
        case 0x6985: return "conditions of use not satisfied"
        case 0x6986: return "command not allowed: no file is selected"
        case 0x6A80: return "incorrect data in the command"
        case 0x6A81: return "function not supported"
        case 0x6A82: return "file or applet not found"
        case 0x6A86: return "incorrect parameters P1/P2"
        case 0x6A88: return "referenced data not found"
        case 0x6B00: return "offset outside the file: past the end of the file"
        case 0x6D00: return "instruction not supported by the card"
        case 0x6E00: return "class not supported by the card"
        case 0x6F00: return "the card reported an error without details"
        default:
            switch sw1 {
            case 0x62, 0x63: return "warning from the card"
            case 0x64, 0x65: return "the card failed to execute the command"
            case 0x67: return "wrong length in the command"
            case 0x68: return "the card does not support a function of the class byte"
            case 0x69: return "command not allowed"
            case 0x6A: return "wrong parameters"
            default: return "unknown status"
            }
        }
    }

    public var description: String { String(format2: sw1) + " " + String(format2: sw2) + " (" + meaning + ")" }
}

extension String {
    fileprivate init(format2 byte: UInt8) { self = [byte].hexString }
}
