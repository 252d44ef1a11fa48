import APDU

/// How an emulated card, and the reader it sits in, behave where public sources disagree or say
/// nothing. Each setting is named in a profile's `settings` object (fixtures/README.md); the defaults
/// are what the sources say a real card does, and docs/card-facts.md gives the source of each.
public struct CardSettings: Equatable, Sendable {
    /// What an empty VERIFY (the retry query) answers for a PIN already verified in this session.
    public enum EmptyVerifyAfterSuccess: String, CaseIterable, Sendable {
        /// `63 Cx`, as before the VERIFY: a real JPKI card does this (OpenSC PR #959, from a card trace).
        case retries
        /// `90 00`, as ISO 7816-4 suggests and "some cards" do (soltia48/myna-card).
        case success
    }

    /// What happens to a key's security status once the key has signed.
    public enum SecurityAfterSignature: String, CaseIterable, Sendable {
        /// The PIN stays verified until a reset or an applet SELECT (ISO 7816-4 security status).
        case kept
        /// The key needs its PIN again before the next signature (as OpenSC assumes of the signing
        /// key by marking it always-authenticate).
        case dropped
    }

    /// What READ BINARY answers when the requested length runs past the end of the file.
    public enum ReadPastEnd: String, CaseIterable, Sendable {
        /// The bytes that exist, with `90 00` (JICSAP 6.4.1, as cited by soltia48/myna-card); an offset
        /// at or past the end gets `6B 00` (JICSAP 7.3.1).
        case jicsap
        /// The bytes that exist, with `62 82` (ISO/IEC 7816-4 "end of file reached before Le bytes");
        /// an offset at or past the end gets `6B 00`.
        case iso
        /// `6B 00` and no data for any read that does not fit in the file.
        case offsetError = "offset-error"
    }

    /// What the retry query (an empty VERIFY) answers for a blocked PIN.
    public enum BlockedPINAnswer: String, CaseIterable, Sendable, StatusWordSetting {
        /// `63 C0`: no tries left (soltia48/myna-card).
        case retriesZero = "63C0"
        /// `69 84`: reference data not usable (soltia48/myna-card counts it as blocked).
        case referenceDataNotUsable = "6984"
        /// `69 83`: authentication method blocked (AokiApp/jsapdu's README).
        case authenticationMethodBlocked = "6983"
    }

    /// What any VERIFY of a PIN that was never set answers (a card issued without PINs; no public
    /// source tells, so each plausible answer is a setting).
    public enum UnsetPINAnswer: String, CaseIterable, Sendable, StatusWordSetting {
        /// `69 84`: reference data not usable — the PIN looks blocked.
        case referenceDataNotUsable = "6984"
        /// `63 C0`: no tries — the PIN looks blocked.
        case retriesZero = "63C0"
        /// `6A 88`: referenced data not found — the PIN does not exist.
        case referencedDataNotFound = "6A88"
    }

    /// What a reader or card with a small response limit answers when a READ BINARY asks for more.
    public enum OverLimitAnswer: String, CaseIterable, Sendable {
        /// `67 00`: wrong length, with no hint.
        case wrongLength = "6700"
        /// `6C xx`: re-send with `Le` = xx, the limit.
        case correctLength = "6Cxx"
    }

    /// See ``EmptyVerifyAfterSuccess``. Default: ``EmptyVerifyAfterSuccess/retries``.
    public var emptyVerifyAfterSuccess: EmptyVerifyAfterSuccess = .retries
    /// See ``SecurityAfterSignature``. Default: ``SecurityAfterSignature/kept`` (no source says otherwise).
    public var securityAfterSignature: SecurityAfterSignature = .kept
    /// See ``ReadPastEnd``. Default: ``ReadPastEnd/jicsap``.
    public var readPastEnd: ReadPastEnd = .jicsap
    /// See ``BlockedPINAnswer``. Default: ``BlockedPINAnswer/retriesZero``.
    public var blockedPINAnswer: BlockedPINAnswer = .retriesZero
    /// See ``UnsetPINAnswer``. Default: ``UnsetPINAnswer/referenceDataNotUsable``.
    public var unsetPINAnswer: UnsetPINAnswer = .referenceDataNotUsable
    /// The most response data one command may return (256 for every short-length reader; less for
    /// readers with small buffers). Longer READ BINARY answers get ``overLimitAnswer``; a longer
    /// signature comes in parts, announced with `61 xx` and fetched with GET RESPONSE.
    public var maximumResponseLength: Int = 65536
    /// See ``OverLimitAnswer``. Default: ``OverLimitAnswer/wrongLength``.
    public var overLimitAnswer: OverLimitAnswer = .wrongLength
    /// Whether extended-length commands (`Le` over 256) are accepted; when not, they get `67 00`.
    public var extendedLength = true
    /// Whether VERIFY takes a short EF identifier in P2 (`80 | SFI`, soltia48/myna-card), so the
    /// PIN file needs no SELECT; when not, such a VERIFY gets `6A 86`.
    public var shortFileIdentifiers = true

    /// The defaults: the card as the sources describe it.
    public init() {}

    /// A setting that does not exist or has a value it cannot take.
    struct Invalid: Error {
        var reason: String
    }

    /// Reads the `settings` object of profile.json; every key must be a known setting.
    init(_ object: [String: JSONValue]) throws {
        for (key, value) in object {
            switch key {
            case "emptyVerifyAfterSuccess": emptyVerifyAfterSuccess = try Self.choice(key, value)
            case "securityAfterSignature": securityAfterSignature = try Self.choice(key, value)
            case "readPastEnd": readPastEnd = try Self.choice(key, value)
            case "blockedPINAnswer": blockedPINAnswer = try Self.choice(key, value)
            case "unsetPINAnswer": unsetPINAnswer = try Self.choice(key, value)
            case "overLimitAnswer": overLimitAnswer = try Self.choice(key, value)
            case "maximumResponseLength":
                guard case .number(let number) = value, let length = Int(exactly: number), (1...65536).contains(length) else {
                    throw Invalid(reason: "maximumResponseLength must be a whole number from 1 to 65536")
                }
                maximumResponseLength = length
            case "extendedLength": extendedLength = try Self.flag(key, value)
            case "shortFileIdentifiers": shortFileIdentifiers = try Self.flag(key, value)
            default:
                throw Invalid(reason: "unknown setting \"\(key)\" (known: emptyVerifyAfterSuccess, securityAfterSignature, readPastEnd, "
                              + "blockedPINAnswer, unsetPINAnswer, maximumResponseLength, overLimitAnswer, extendedLength, shortFileIdentifiers)")
            }
        }
    }

    private static func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ value: JSONValue) throws -> T where T.RawValue == String {
        guard case .string(let text) = value, let choice = T(rawValue: text) else {
            throw Invalid(reason: "\(key) must be one of " + T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
        }
        return choice
    }

    private static func flag(_ key: String, _ value: JSONValue) throws -> Bool {
        guard case .bool(let flag) = value else { throw Invalid(reason: "\(key) must be true or false") }
        return flag
    }
}

/// A setting whose values are status words, written as hex (e.g. `"6984"`).
protocol StatusWordSetting: RawRepresentable where RawValue == String {}

extension StatusWordSetting {
    /// The status word the value names.
    var statusWord: StatusWord { StatusWord(UInt16(rawValue, radix: 16) ?? 0x6F00) }
}

/// A JSON scalar, as the settings object holds them.
enum JSONValue: Decodable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) { self = .bool(flag); return }
        if let number = try? container.decode(Double.self) { self = .number(number); return }
        self = .string(try container.decode(String.self))
    }
}
