import APDU
import CardIO

/// The ISO 7816-4 operations every applet of the card shares, on one transport:
/// selecting applets and files, reading files whole, and verifying PINs without wasting tries.
public struct CardSession {
    /// The transport the commands go through.
    public let transport: any CardTransport

    /// Short READ BINARY chunks: every reader and the card support them.
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

    /// Whether the card answers a SELECT of `aid` with success.
    public func hasApplet(_ aid: AID) throws -> Bool {
        try transport.transmit(.select(applet: aid)).statusWord.isSuccess
    }

    /// Selects an elementary file of the current applet.
    public func selectFile(_ fid: FileID, name: String) throws {
        try send(.select(file: fid), during: "selecting \(name) (EF \(fid))")
    }

    /// Reads `length` bytes of the current file from `offset`, in short chunks. With `upToEnd`, a file
    /// that ends sooner gives what it has; otherwise that is an error.
    public func readBinary(offset: Int = 0, length: Int, name: String, upToEnd: Bool = false) throws -> [UInt8] {
        // READ BINARY addresses 15 bits: a length past that comes from a corrupt header, not a real file.
        guard offset >= 0, length >= 0, offset + length <= 0x8000 else {
            throw CardSessionError.malformedData("\(name) claims \(offset + length) bytes, more than a card file can hold (32768)")
        }
        var data: [UInt8] = []
        data.reserveCapacity(length)
        while data.count < length {
            let want = min(Self.readChunkSize, length - data.count)
            let response = try transport.transmit(.readBinary(offset: offset + data.count, length: want))
            let status = response.statusWord
            if upToEnd && status == .wrongParametersOffsetOutside && !data.isEmpty { return data }
            guard status.isSuccess || status == .endOfFileReached else { throw CardSessionError.card(status, during: "reading \(name)") }
            data += response.data
            if response.data.isEmpty || status == .endOfFileReached {
                if upToEnd { return Array(data.prefix(length)) }
                throw CardSessionError.malformedData("\(name) ends after \(data.count) byte(s), but \(length) were expected")
            }
        }
        return Array(data.prefix(length))
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

    /// Reads a PIN's retry counter with an empty VERIFY, which never spends a try.
    /// The PIN's applet must be selected.
    public func pinStatus(_ kind: PINKind) throws -> PINStatus {
        try selectFile(kind.file, name: kind.displayName)
        let status = try transport.transmit(.verify()).statusWord
        if status.isSuccess { return .verified }
        if let left = status.retriesRemaining { return left == 0 ? .blocked : .remaining(left) }
        if status.isBlocked { return .blocked }
        throw CardSessionError.card(status, during: "reading the retry counter of the \(kind.displayName)")
    }

    /// The PIN guard: reads the retry counter (no try spent) and refuses when the PIN is blocked, or when
    /// only one try is left and `force` is not set.
    /// - Returns: ``PINStatus/verified`` when nothing needs sending, else the remaining tries.
    public func guardTry(_ kind: PINKind, force: Bool) throws -> PINStatus {
        let status = try pinStatus(kind)
        switch status {
        case .verified: return status
        case .blocked: throw CardSessionError.pinBlocked(kind)
        case .remaining(let left) where left <= 1 && !force: throw CardSessionError.lastTryRefused(kind)
        case .remaining: return status
        }
    }

    /// Verifies a PIN safely, asking for it only when a try may be sent: reads the retry counter first,
    /// refuses a blocked PIN and the last try (unless `force`), then calls `obtain` (e.g. a prompt),
    /// checks the PIN against its kind's rules (``PINKind/prepared(_:)``), and only then sends it.
    /// - Returns: the status after verification (always ``PINStatus/verified``).
    @discardableResult
    public func verifyPIN(_ kind: PINKind, force: Bool, obtain: () throws -> PINCode) throws -> PINStatus {
        if try guardTry(kind, force: force) == .verified { return .verified }
        return try sendVerify(try kind.prepared(try obtain()), kind: kind)
    }

    /// Verifies a PIN already in hand: it is checked against its kind's rules before anything reaches the
    /// card, then as ``verifyPIN(_:force:obtain:)``.
    @discardableResult
    public func verifyPIN(_ pin: PINCode, kind: PINKind, force: Bool) throws -> PINStatus {
        let ready = try kind.prepared(pin)
        return try verifyPIN(kind, force: force) { ready }
    }

    /// Changes a PIN: applies the guard, obtains the current and the new PIN, checks both against their
    /// rules (``PINKind/preparedNew(_:)`` for the new one), verifies the current PIN and sends CHANGE
    /// REFERENCE DATA.
    public func changePIN(_ kind: PINKind, force: Bool, current: () throws -> PINCode, new: () throws -> PINCode) throws {
        let before = try guardTry(kind, force: force)
        let currentPIN = try current()
        let newPIN = try kind.preparedNew(try new())
        if before != .verified {
            try sendVerify(try kind.prepared(currentPIN), kind: kind)
        }
        let status = try send(newPIN, in: CommandAPDU.changeReferenceData) { .pinChangeInterrupted(kind, $0) }
        guard status.isSuccess else { throw CardSessionError.card(status, during: "changing the \(kind.displayName)") }
    }

    /// Changes a PIN with both PINs in hand; a new PIN that breaks the rules is refused before anything is sent.
    public func changePIN(_ kind: PINKind, current: PINCode, new: PINCode, force: Bool) throws {
        let ready = try kind.preparedNew(new)
        try changePIN(kind, force: force, current: { current }, new: { ready })
    }

    @discardableResult
    private func sendVerify(_ pin: PINCode, kind: PINKind) throws -> PINStatus {
        // The card may have counted the try before the answer was lost.
        let status = try send(pin, in: { CommandAPDU.verify(pin: $0) }) { .pinTryInterrupted(kind, $0) }
        if status.isSuccess { return .verified }
        if let left = status.retriesRemaining { throw CardSessionError.wrongPIN(kind, triesLeft: left) }
        if status.isBlocked { throw CardSessionError.pinBlocked(kind) }
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
