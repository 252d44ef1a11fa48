import APDU
import Foundation
import _CryptoExtras
import Crypto

/// An emulated My Number card: answers command APDUs as the real card's operating system does,
/// from the contents of a ``CardProfile``.
///
/// What it implements, and where each behaviour comes from, is listed in docs/card-facts.md:
/// SELECT by AID and by file ID, READ BINARY (short and extended length, partial reads at the end of
/// a file), VERIFY with retry counters that block at zero (by the current EF, or by a short EF
/// identifier in P2), CHANGE REFERENCE DATA, COMPUTE DIGITAL SIGNATURE (PKCS#1 v1.5 padding of the
/// DigestInfo it is given, done on the card): JPKI's keys after their PIN (P2 = 80, key EF selected), and the
/// card-face and text applets' card key without one (P2 = 00) — and GET RESPONSE for answers sent in parts.
/// Security status is per applet and cleared by a reset or by selecting an applet. Where the sources
/// disagree or are silent, the profile's ``CardSettings`` decide.
public final class EmulatedCard: @unchecked Sendable {
    /// The answer to reset.
    public let atr: [UInt8]
    /// The profile the card was made from.
    public let profileName: String
    /// How the card behaves where the sources disagree.
    public let settings: CardSettings

    private var applets: [CardProfile.Applet]
    private let store: CardStateStore?
    private var selectedApplet: Int?
    private var selectedFile: FileID?
    private var verifiedPINs: Set<FileID> = []
    /// The part of a long answer not sent yet, fetched with GET RESPONSE.
    private var pendingResponse: [UInt8] = []
    private let lock = NSLock()
    /// Hostile misbehaviour from the profile (HostileBehaviour.swift); `nil` for a card that behaves.
    private let hostile: HostileBehaviour?
    private var commandCount = 0

    /// Creates a card from a profile. With a `store`, PIN counters and changed PINs are kept across
    /// runs, so a blocked test card stays blocked, like a real one.
    public init(profile: CardProfile, store: CardStateStore? = nil) {
        self.atr = profile.atr
        self.profileName = profile.name
        self.settings = profile.settings
        self.applets = profile.applets
        self.store = store
        self.hostile = profile.hostile
        if let store { store.apply(to: &applets) }
    }

    /// A card reset (or power cycle): nothing selected, no PIN verified.
    public func reset() {
        lock.withLock {
            selectedApplet = nil
            selectedFile = nil
            verifiedPINs = []
            pendingResponse = []
        }
    }

    /// Processes one command APDU and returns the response bytes (data and status word).
    public func process(_ commandBytes: [UInt8]) -> [UInt8] {
        lock.withLock {
            defer { commandCount += 1 }
            if commandBytes.count >= 2, let answer = hostile?.answer(instruction: commandBytes[1], count: commandCount) { return answer }
            let response: ResponseAPDU
            do {
                let command = try CommandAPDU(bytes: commandBytes)
                if !settings.extendedLength && commandBytes.count >= 7 && commandBytes[4] == 0x00 {
                    response = ResponseAPDU(statusWord: .wrongLength)  // the reader cannot carry it
                } else if command.cla == 0x00 && command.ins == 0xC0 {
                    response = getResponse(command)
                } else {
                    pendingResponse = []
                    response = limited(handle(command))
                }
            } catch {
                response = ResponseAPDU(statusWord: .wrongLength)
            }
            return response.bytes
        }
    }

    /// Whether a hostile card has gone silent: the next command gets no answer at all.
    public var isSilent: Bool { lock.withLock { hostile?.isSilent(count: commandCount) ?? false } }

    private func handle(_ command: CommandAPDU) -> ResponseAPDU {
        switch (command.cla, command.ins) {
        case (0x00, 0xA4): return select(command)
        case (0x00, 0xB0): return readBinary(command)
        case (0x00, 0x20): return verify(command)
        case (0x00, 0x24): return changeReferenceData(command)
        case (0x80, 0x2A): return computeDigitalSignature(command)
        case (0x00, _), (0x80, _): return ResponseAPDU(statusWord: .instructionNotSupported)
        default: return ResponseAPDU(statusWord: .classNotSupported)
        }
    }

    // MARK: SELECT

    private func select(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p2 == 0x0C || command.p2 == 0x00 else { return ResponseAPDU(statusWord: .incorrectP1P2) }
        switch command.p1 {
        case 0x04:
            guard !command.data.isEmpty else { return ResponseAPDU(statusWord: .wrongLength) }
            guard let index = applets.firstIndex(where: { $0.aid.bytes == command.data }) else {
                return ResponseAPDU(statusWord: .fileNotFound)
            }
            selectedApplet = index
            selectedFile = nil
            verifiedPINs = []
            return ResponseAPDU(statusWord: .success)
        case 0x02:
            guard command.data.count == 2 else { return ResponseAPDU(statusWord: .wrongLength) }
            let fid = FileID(UInt16(command.data[0]) << 8 | UInt16(command.data[1]))
            guard let applet = selectedApplet, applets[applet].files[fid] != nil else {
                return ResponseAPDU(statusWord: .fileNotFound)
            }
            selectedFile = fid
            return ResponseAPDU(statusWord: .success)
        default:
            return ResponseAPDU(statusWord: .incorrectP1P2)
        }
    }

    private var currentFile: CardProfile.File? {
        guard let applet = selectedApplet, let fid = selectedFile else { return nil }
        return applets[applet].files[fid]
    }

    private func isSatisfied(_ required: [FileID]) -> Bool {
        required.isEmpty || required.contains { verifiedPINs.contains($0) }
    }

    // MARK: READ BINARY

    private func readBinary(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 & 0x80 == 0 else { return ResponseAPDU(statusWord: .incorrectP1P2) }  // no short-EF addressing
        guard let file = currentFile else { return ResponseAPDU(statusWord: .commandNotAllowedNoEF) }
        guard case .binary(let bytes) = file.content else { return ResponseAPDU(statusWord: StatusWord(0x6981)) }
        guard isSatisfied(file.requiredPINs) else { return ResponseAPDU(statusWord: .securityStatusNotSatisfied) }
        guard command.data.isEmpty, let wanted = command.expectedLength else { return ResponseAPDU(statusWord: .wrongLength) }
        if wanted > settings.maximumResponseLength {
            switch settings.overLimitAnswer {
            case .wrongLength: return ResponseAPDU(statusWord: .wrongLength)
            case .correctLength: return ResponseAPDU(statusWord: StatusWord(sw1: 0x6C, sw2: UInt8(truncatingIfNeeded: settings.maximumResponseLength)))
            }
        }
        let offset = Int(command.p1) << 8 | Int(command.p2)
        guard offset < bytes.count else { return ResponseAPDU(statusWord: .wrongParametersOffsetOutside) }
        let available = bytes.count - offset
        if available < wanted {
            switch settings.readPastEnd {
            case .jicsap: return ResponseAPDU(data: Array(bytes[offset...]), statusWord: .success)
            case .iso: return ResponseAPDU(data: Array(bytes[offset...]), statusWord: .endOfFileReached)
            case .offsetError: return ResponseAPDU(statusWord: .wrongParametersOffsetOutside)
            }
        }
        return ResponseAPDU(data: Array(bytes[offset..<(offset + wanted)]), statusWord: .success)
    }

    // MARK: Long answers

    /// Holds back what does not fit in ``CardSettings/maximumResponseLength``, announcing it with `61 xx`.
    private func limited(_ response: ResponseAPDU) -> ResponseAPDU {
        let limit = settings.maximumResponseLength
        guard response.data.count > limit, response.statusWord.isSuccess else { return response }
        pendingResponse = Array(response.data[limit...])
        return ResponseAPDU(data: Array(response.data[..<limit]), statusWord: moreData)
    }

    /// GET RESPONSE: the next part of an answer announced with `61 xx`.
    private func getResponse(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0, command.p2 == 0, command.data.isEmpty else { return ResponseAPDU(statusWord: .incorrectP1P2) }
        guard !pendingResponse.isEmpty else { return ResponseAPDU(statusWord: .conditionsOfUseNotSatisfied) }
        let count = min(command.expectedLength ?? 256, settings.maximumResponseLength, pendingResponse.count)
        let part = Array(pendingResponse.prefix(count))
        pendingResponse.removeFirst(count)
        return ResponseAPDU(data: part, statusWord: pendingResponse.isEmpty ? .success : moreData)
    }

    private var moreData: StatusWord {
        StatusWord(sw1: 0x61, sw2: UInt8(truncatingIfNeeded: min(pendingResponse.count, settings.maximumResponseLength, 256)))
    }

    // MARK: VERIFY / CHANGE REFERENCE DATA

    private func verify(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0x00, command.p2 & 0x80 != 0 else { return ResponseAPDU(statusWord: .incorrectP1P2) }
        guard let applet = selectedApplet else { return ResponseAPDU(statusWord: .commandNotAllowedNoEF) }
        // P2 = 80 names the current EF; 80 | SFI names a PIN file by its short EF identifier (soltia48/myna-card).
        let fid: FileID
        if command.p2 == 0x80 {
            guard let current = selectedFile else { return ResponseAPDU(statusWord: .commandNotAllowedNoEF) }
            fid = current
        } else {
            guard settings.shortFileIdentifiers, command.p2 & 0x60 == 0 else { return ResponseAPDU(statusWord: .incorrectP1P2) }
            fid = FileID(UInt16(command.p2 & 0x1F))
        }
        guard let file = applets[applet].files[fid] else { return ResponseAPDU(statusWord: .referencedDataNotFound) }
        switch file.content {
        case .unsetPIN:
            return ResponseAPDU(statusWord: settings.unsetPINAnswer.statusWord)
        case .unlimitedPIN(let value):
            if command.data.isEmpty { return ResponseAPDU(statusWord: verifiedPINs.contains(fid) && settings.emptyVerifyAfterSuccess == .success ? .success : StatusWord(0x6300)) }
            guard constantTimeEqual(command.data, value) else {
                verifiedPINs.remove(fid)
                return ResponseAPDU(statusWord: StatusWord(0x6300))
            }
            verifiedPINs.insert(fid)
            return ResponseAPDU(statusWord: .success)
        case .pin(let value, let maximum, let left):
            if command.data.isEmpty {
                if verifiedPINs.contains(fid) && settings.emptyVerifyAfterSuccess == .success { return ResponseAPDU(statusWord: .success) }
                if left == 0 { return ResponseAPDU(statusWord: settings.blockedPINAnswer.statusWord) }
                return ResponseAPDU(statusWord: StatusWord(sw1: 0x63, sw2: 0xC0 | UInt8(left)))
            }
            // A VERIFY with data against a blocked PIN is refused with 69 84, and costs nothing.
            guard left > 0 else { return ResponseAPDU(statusWord: .referenceDataNotUsable) }
            if constantTimeEqual(command.data, value) {
                setPIN(applet: applet, fid: fid, value: value, maximum: maximum, left: maximum)
                verifiedPINs.insert(fid)
                return ResponseAPDU(statusWord: .success)
            }
            verifiedPINs.remove(fid)
            setPIN(applet: applet, fid: fid, value: value, maximum: maximum, left: left - 1)
            return ResponseAPDU(statusWord: StatusWord(sw1: 0x63, sw2: 0xC0 | UInt8(left - 1)))
        case .binary, .rsaKey:
            return ResponseAPDU(statusWord: StatusWord(0x6981))
        }
    }

    private func changeReferenceData(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0x01, command.p2 == 0x80 else { return ResponseAPDU(statusWord: .incorrectP1P2) }
        guard let applet = selectedApplet, let fid = selectedFile, let file = currentFile else {
            return ResponseAPDU(statusWord: .commandNotAllowedNoEF)
        }
        switch file.content {
        case .pin(_, let maximum, let left):
            guard left > 0 else { return ResponseAPDU(statusWord: .referenceDataNotUsable) }
            guard verifiedPINs.contains(fid) else { return ResponseAPDU(statusWord: .securityStatusNotSatisfied) }
            guard !command.data.isEmpty, command.data.count <= 16 else { return ResponseAPDU(statusWord: .wrongLength) }
            setPIN(applet: applet, fid: fid, value: command.data, maximum: maximum, left: maximum)
            return ResponseAPDU(statusWord: .success)
        case .unlimitedPIN:
            guard verifiedPINs.contains(fid) else { return ResponseAPDU(statusWord: .securityStatusNotSatisfied) }
            guard !command.data.isEmpty, command.data.count <= 16 else { return ResponseAPDU(statusWord: .wrongLength) }
            applets[applet].files[fid]?.content = .unlimitedPIN(value: command.data)
            return ResponseAPDU(statusWord: .success)
        case .unsetPIN:
            return ResponseAPDU(statusWord: settings.unsetPINAnswer.statusWord)
        case .binary, .rsaKey:
            return ResponseAPDU(statusWord: StatusWord(0x6981))
        }
    }

    private func setPIN(applet: Int, fid: FileID, value: [UInt8], maximum: Int, left: Int) {
        applets[applet].files[fid]?.content = .pin(value: value, maximumTries: maximum, triesLeft: left)
        store?.record(aid: applets[applet].aid, fid: fid, value: value, triesLeft: left)
    }

    // MARK: COMPUTE DIGITAL SIGNATURE

    private func computeDigitalSignature(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0x00, command.p2 == 0x80 || command.p2 == 0x00 else { return ResponseAPDU(statusWord: .incorrectP1P2) }
        let file: CardProfile.File
        if command.p2 == 0x00 {
            // P2 = 00: the applet's own card key, which needs no PIN (internal authentication of the card-face and
            // text applets, docs/card-facts.md); whatever EF is selected. An applet without one: 6A 88.
            guard let applet = selectedApplet else { return ResponseAPDU(statusWord: .commandNotAllowedNoEF) }
            guard let cardKey = applets[applet].files.values.first(where: { $0.isInternalAuthenticationKey }) else {
                return ResponseAPDU(statusWord: .referencedDataNotFound)
            }
            file = cardKey
        } else {
            guard let selected = currentFile else { return ResponseAPDU(statusWord: .commandNotAllowedNoEF) }
            file = selected
        }
        guard case .rsaKey(let der) = file.content else { return ResponseAPDU(statusWord: StatusWord(0x6981)) }
        guard isSatisfied(file.requiredPINs) else { return ResponseAPDU(statusWord: .securityStatusNotSatisfied) }
        do {
            let key = try _RSA.BlindSigning.PrivateKey<SHA384>(unsafeDERRepresentation: der, parameters: .RSABSSA_SHA384_PSS_Deterministic)
            let modulusLength = try key.publicKey.getKeyPrimitives().modulus.count
            // PKCS#1 v1.5 type 1 padding: 00 01 FF…FF 00 || data, with at least 8 bytes of FF.
            guard !command.data.isEmpty, command.data.count <= modulusLength - 11 else { return ResponseAPDU(statusWord: .wrongLength) }
            if let wanted = command.expectedLength, wanted < modulusLength { return ResponseAPDU(statusWord: .wrongLength) }
            let padding = [UInt8](repeating: 0xFF, count: modulusLength - 3 - command.data.count)
            let block = [0x00, 0x01] + padding + [0x00] + command.data
            let signature = try key.blindSignature(for: block)
            if settings.securityAfterSignature == .dropped { verifiedPINs.subtract(file.requiredPINs) }
            return ResponseAPDU(data: signature.withUnsafeBytes { [UInt8]($0) }, statusWord: .success)
        } catch {
            return ResponseAPDU(statusWord: .noPreciseDiagnosis)
        }
    }
}

extension CardProfile.File {
    /// Whether this is an applet's card key: an RSA key that signs without a PIN (P2 = 00).
    var isInternalAuthenticationKey: Bool {
        if case .rsaKey = content { return requiredPINs.isEmpty }
        return false
    }
}

private func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    return zip(lhs, rhs).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
}
