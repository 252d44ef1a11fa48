import APDU
import CardIO

/// The ISO 7816-4 operations every applet of the card shares, on one transport:
/// selecting applets and files, reading files whole, and verifying PINs without wasting tries.
///
/// A session learns what the reader and card accept as it goes (extended-length READ BINARY, the
/// largest short answer, short EF identifiers in VERIFY) and falls back without failing; copies of a
/// session, and the applet sessions made from it, share what was learnt and which PINs were sent.
///
/// Commands go to the card inside card operations (``operation(_:)``, ``withPIN(_:force:entry:prepare:_:)``):
/// each holds the card's transaction only while it talks to the card and logs out every PIN sent during it.
public struct CardSession {
    /// The transport the commands go through.
    public let transport: any CardTransport
    let state = SessionState()

    /// The largest short READ BINARY: `Le` = `00` asks for 256 bytes.
    public static let readChunkSize = 256

    /// Creates a session on `transport`.
    public init(transport: any CardTransport) {
        self.transport = transport
    }

    /// Sends `command` and returns its data, turning any status but `90 00` into a ``CardSessionError``.
    @discardableResult
    public func send(_ command: CommandAPDU, during activity: String) throws -> [UInt8] {
        let response = try transport.transmit(command)
        guard response.statusWord.isSuccess else { throw CardSessionError.card(response.statusWord, during: activity) }
        return response.data
    }

    /// Selects an applet by AID.
    /// - Throws: ``CardSessionError/appletNotFound(applet:aid:)`` when the card has no such applet.
    public func selectApplet(_ aid: AID, name: String) throws {
        let response = try transport.transmit(.select(applet: aid))
        if response.statusWord == .fileNotFound { throw CardSessionError.appletNotFound(applet: name, aid: aid) }
        guard response.statusWord.isSuccess else { throw CardSessionError.card(response.statusWord, during: "selecting the \(name) applet") }
    }

    /// Whether the card answers a SELECT of `aid` with success (the applet is then the current one).
    public func hasApplet(_ aid: AID) throws -> Bool {
        try transport.transmit(.select(applet: aid)).statusWord.isSuccess
    }

    /// Selects an elementary file of the current applet.
    public func selectFile(_ fid: FileID, name: String) throws {
        try send(.select(file: fid), during: "selecting \(name) (EF \(fid))")
    }

    /// Reads `length` bytes of the current file from `offset`. With `upToEnd`, a file that ends sooner
    /// gives what it has; otherwise that is an error.
    ///
    /// A long read goes in one extended-length READ BINARY where the reader and card take it, else in
    /// short chunks; `67 00` or `6C xx` to a chunk makes the chunks smaller. The end of a file may show
    /// as the bytes that exist with `90 00` (JICSAP) or `62 82` (ISO), or as `6B 00`: all are understood.
    public func readBinary(offset: Int = 0, length: Int, name: String, upToEnd: Bool = false) throws -> [UInt8] {
        // READ BINARY addresses 15 bits: a length past that comes from a corrupt header, not a real file.
        guard offset >= 0, length >= 0, offset + length <= 0x8000 else {
            throw CardSessionError.malformedData("\(name) claims \(offset + length) bytes, more than a card file can hold (32768)")
        }
        func endedEarly(_ count: Int) -> CardSessionError {
            .malformedData("\(name) ends after \(count) byte(s), but \(length) were expected")
        }
        var data: [UInt8] = []
        data.reserveCapacity(length)
        var wanted = length  // lowered when a short file answers 6B 00 to a read past its end
        while data.count < wanted {
            let remaining = wanted - data.count
            let extended = remaining > Self.readChunkSize && state.extendedLength
            let asked = extended ? remaining : min(state.shortChunk, remaining)
            let response: ResponseAPDU
            do {
                response = try transport.transmit(.readBinary(offset: offset + data.count, length: asked))
            } catch let error as CardIOError where extended && error.isRefusedCommand {
                state.extendedLength = false  // the reader cannot carry an extended-length command
                continue
            }
            let status = response.statusWord
            if status == .wrongLength && response.data.isEmpty {
                if extended { state.extendedLength = false; continue }
                guard let smaller = SessionState.smallerChunk(than: asked) else { throw CardSessionError.card(status, during: "reading \(name)") }
                state.shortChunk = smaller
                continue
            }
            if status == .wrongParametersOffsetOutside {
                if upToEnd && !data.isEmpty { return data }
                if upToEnd && asked > 1 { wanted = asked / 2; continue }
                if !data.isEmpty { throw endedEarly(data.count) }
            }
            guard status.isSuccess || status == .endOfFileReached else { throw CardSessionError.card(status, during: "reading \(name)") }
            data += response.data.prefix(wanted - data.count)
            guard !response.data.isEmpty else {
                if upToEnd { return data }
                throw endedEarly(data.count)
            }
            if response.data.count < asked {
                // Fewer bytes than asked: the file ended (62 82, or 90 00 at the end as JICSAP cards answer),
                // or the reader gives no more at once (after 6C xx, or an extended read it cut short).
                if upToEnd { return data }
                if status == .endOfFileReached { throw endedEarly(data.count) }
                if extended { state.extendedLength = false }
                if (SessionState.smallestChunk...Self.readChunkSize).contains(response.data.count) {
                    state.shortChunk = min(state.shortChunk, response.data.count)
                }
            }
        }
        return data
    }

    /// Reads a file whose content is one BER-TLV object (a DER certificate, a TLV record):
    /// its header tells its length, so exactly the object is read, with no reading past its end.
    public func readTLVFile(_ fid: FileID, name: String) throws -> [UInt8] {
        try selectFile(fid, name: name)
        let header = try readBinary(length: 8, name: name, upToEnd: true)
        let (tagLength, lengthFieldLength, valueLength) = try Self.tlvHeader(header, name: name)
        let total = tagLength + lengthFieldLength + valueLength
        if total <= header.count { return Array(header.prefix(total)) }
        return header + (try readBinary(offset: header.count, length: total - header.count, name: name))
    }

    /// Reads a PIN's retry counter with an empty VERIFY, which never spends a try. The PIN's applet must
    /// be selected. The PIN file is named by its short EF identifier where the card takes that (one APDU
    /// instead of two), so the PIN file is not necessarily left selected: select it before sending a PIN
    /// (``sendVerify(_:kind:)`` does).
    public func pinStatus(_ kind: PINKind) throws -> PINStatus {
        var triedShortIdentifier = false
        if state.shortFileIdentifiers, let sfi = kind.file.shortIdentifier {
            let status = try transport.transmit(.retryQuery(shortFileIdentifier: sfi)).statusWord
            if let answer = Self.retryAnswer(status) {
                state.answeredByShortIdentifier.insert(kind)
                return answer
            }
            triedShortIdentifier = true
        }
        try selectFile(kind.file, name: kind.displayName)
        let status = try transport.transmit(.verify()).statusWord
        if let answer = Self.retryAnswer(status) {
            if triedShortIdentifier { state.shortFileIdentifiers = false }  // the card does not take them
            return answer
        }
        if status == .referencedDataNotFound { return .notSet }
        throw CardSessionError.card(status, during: "reading the retry counter of the \(kind.displayName)")
    }

    /// What a retry query's status word says, or `nil` when it is no answer to the query: `90 00`
    /// verified, `63 Cx` x tries (`63 C0` blocked), `63 00` no retry limit, `69 83`/`69 84` blocked.
    static func retryAnswer(_ status: StatusWord) -> PINStatus? {
        if status.isSuccess { return .verified }
        if status == .verificationFailed { return .unlimited }
        if let left = status.retriesRemaining { return left == 0 ? .blocked : .remaining(left) }
        if status.isBlocked { return .blocked }
        return nil
    }

    /// The PIN guard: reads the retry counter (no try spent) and refuses when the PIN is blocked, or when
    /// only one try is left and `force` is not set.
    /// - Returns: ``PINStatus/verified`` when nothing needs sending, else the remaining tries.
    public func guardTry(_ kind: PINKind, force: Bool) throws -> PINStatus {
        let status = try pinStatus(kind)
        switch status {
        case .verified, .unlimited: return status
        case .blocked: throw CardSessionError.pinBlocked(kind)
        case .notSet: throw CardSessionError.pinNotSet(kind)
        case .remaining(let left) where left <= 1 && !force: throw CardSessionError.lastTryRefused(kind)
        case .remaining: return status
        }
    }

    /// Verifies a PIN in hand, inside the current operation, with the guard: the PIN is checked against its
    /// kind's rules (``PINKind/prepared(_:)``), the retry counter is read, a blocked PIN and the last try
    /// (unless `force`) are refused, and only then is the PIN sent. A PIN that may have to be asked for goes
    /// through ``withPIN(_:force:entry:prepare:_:)`` instead, which does not hold the card meanwhile.
    /// - Returns: the status after verification (always ``PINStatus/verified``).
    @discardableResult
    public func verifyPIN(_ pin: PINCode, kind: PINKind, force: Bool) throws -> PINStatus {
        let ready = try kind.prepared(pin)
        if try guardTry(kind, force: force) == .verified { return .verified }
        return try sendVerify(ready, kind: kind)
    }

    /// Changes a PIN with both PINs in hand, inside the current operation: a new PIN that breaks the rules is
    /// refused before anything is sent; then the guard, VERIFY of the current PIN and CHANGE REFERENCE DATA.
    public func changePIN(_ kind: PINKind, current: PINCode, new: PINCode, force: Bool) throws {
        let ready = try kind.preparedNew(new)
        let currentPIN = try kind.prepared(current)
        if try guardTry(kind, force: force) != .verified { try sendVerify(currentPIN, kind: kind) }
        try changeReferenceData(kind, to: ready)
    }

    /// CHANGE REFERENCE DATA of a PIN verified in this operation; `new` has passed ``PINKind/preparedNew(_:)``.
    func changeReferenceData(_ kind: PINKind, to new: PINCode) throws {
        try selectFile(kind.file, name: kind.displayName)  // the change goes to the current EF
        let status = try send(new, in: CommandAPDU.changeReferenceData) { .pinChangeInterrupted(kind, $0) }
        guard status.isSuccess else { throw CardSessionError.card(status, during: "changing the \(kind.displayName)") }
    }

    /// Sends `pin` to its PIN file and reports the outcome. No guard: callers have applied it, or hold a PIN the
    /// card has accepted before. The PIN file is named by its short EF identifier when the card has just
    /// answered the retry query for this PIN that way (one APDU instead of two), else selected first.
    /// The PIN is logged out when the operation ends (see ``operation(_:)``).
    @discardableResult
    public func sendVerify(_ pin: PINCode, kind: PINKind) throws -> PINStatus {
        state.sentPINs.insert(kind)  // from here on the card may hold it verified: the operation logs it out
        var status: StatusWord
        if state.answeredByShortIdentifier.contains(kind), let sfi = kind.file.shortIdentifier {
            status = try send(pin, in: { CommandAPDU.verify(pin: $0, shortFileIdentifier: sfi) }) { .pinTryInterrupted(kind, $0) }
            if status == .incorrectP1P2 {  // refused before any comparison: no try was counted
                state.answeredByShortIdentifier.remove(kind)
                return try sendVerify(pin, kind: kind)
            }
        } else {
            try selectFile(kind.file, name: kind.displayName)
            // The card may have counted the try before the answer was lost.
            status = try send(pin, in: { CommandAPDU.verify(pin: $0) }) { .pinTryInterrupted(kind, $0) }
        }
        if status.isSuccess { return .verified }
        state.sentPINs.remove(kind)  // refused: nothing is verified
        if let left = status.retriesRemaining { throw CardSessionError.wrongPIN(kind, triesLeft: left) }
        if status.isBlocked { throw CardSessionError.pinBlocked(kind) }
        if status == .referencedDataNotFound { throw CardSessionError.pinNotSet(kind) }
        throw CardSessionError.card(status, during: "verifying the \(kind.displayName)")
    }

    /// Sends `pin` in the command `make` builds, wiping every copy, and turns a lost card into `interrupted`'s error.
    private func send(_ pin: PINCode, in make: ([UInt8]) -> CommandAPDU,
                      interrupted: (CardIOError) -> CardSessionError) throws -> StatusWord {
        do {
            return try pin.withBytes { bytes in
                var command = make(bytes)
                return try transport.transmitSecret(&command)
            }.statusWord
        } catch let error as CardIOError {
            throw interrupted(error)
        }
    }

    /// Splits a BER-TLV header into the sizes of its tag, its length field and its value.
    static func tlvHeader(_ bytes: [UInt8], name: String) throws -> (Int, Int, Int) {
        guard !bytes.isEmpty else { throw CardSessionError.malformedData("\(name) is empty") }
        var index = 1
        if bytes[0] & 0x1F == 0x1F {
            while index < bytes.count, bytes[index] & 0x80 != 0 { index += 1 }
            index += 1
        }
        guard index < bytes.count else { throw CardSessionError.malformedData("\(name) has no TLV length") }
        let first = Int(bytes[index])
        if first < 0x80 { return (index, 1, first) }
        let count = first & 0x7F
        guard (1...3).contains(count), index + count < bytes.count else {
            throw CardSessionError.malformedData("\(name) has an unusable TLV length field (\(first))")
        }
        let length = bytes[(index + 1)...(index + count)].reduce(0) { $0 << 8 | Int($1) }
        return (index, 1 + count, length)
    }
}

extension CardIOError {
    /// Whether the reader or pcsc-lite refused to carry a command (rather than the card going away):
    /// a reader without extended-length support fails an extended command this way.
    fileprivate var isRefusedCommand: Bool {
        switch self {
        case .pcsc, .protocolViolation: true
        default: false
        }
    }
}

/// What a session has learnt about the reader and card, and what it sent in the current operation; shared by
/// copies of a ``CardSession``.
final class SessionState {
    /// Whether extended-length READ BINARY still looks usable.
    var extendedLength = true
    /// The largest short READ BINARY not refused so far.
    var shortChunk = CardSession.readChunkSize
    /// Whether VERIFY with a short EF identifier in P2 still looks usable.
    var shortFileIdentifiers = true
    /// The PINs whose retry query the card answered by short EF identifier in this operation.
    var answeredByShortIdentifier: Set<PINKind> = []
    /// The PINs sent in this operation that the card may hold verified: logged out when it ends.
    var sentPINs: Set<PINKind> = []
    /// How deep operations are nested (only the outermost takes and ends the transaction).
    var openOperations = 0

    /// Below this, a chunk size is not worth trying.
    static let smallestChunk = 16

    /// The next chunk size to try after `67 00`: 255 first (readers that cannot return 256 bytes at
    /// once), then halves; `nil` below ``smallestChunk``.
    static func smallerChunk(than size: Int) -> Int? {
        let next = size >= CardSession.readChunkSize ? CardSession.readChunkSize - 1 : size / 2
        return next >= smallestChunk ? next : nil
    }
}
