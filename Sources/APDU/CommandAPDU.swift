/// A command sent to the card (ISO/IEC 7816-4 §5.1), in any of the four cases, short or extended length.
public struct CommandAPDU: Equatable, Sendable {
    /// Class byte.
    public var cla: UInt8
    /// Instruction byte.
    public var ins: UInt8
    /// First parameter byte.
    public var p1: UInt8
    /// Second parameter byte.
    public var p2: UInt8
    /// Command data (`Lc` is its length); empty for cases 1 and 2.
    public var data: [UInt8]
    /// Expected response length `Ne`; `nil` when no response data is expected (cases 1 and 3).
    /// 256 is the short-form maximum (encoded `00`), 65536 the extended-form maximum.
    public var expectedLength: Int?

    /// Creates a command.
    public init(cla: UInt8 = 0x00, ins: UInt8, p1: UInt8, p2: UInt8, data: [UInt8] = [], expectedLength: Int? = nil) {
        self.cla = cla
        self.ins = ins
        self.p1 = p1
        self.p2 = p2
        self.data = data
        self.expectedLength = expectedLength
    }

    /// Whether the command needs the extended-length form (data over 255 bytes or `Ne` over 256).
    public var needsExtendedLength: Bool {
        data.count > 255 || (expectedLength ?? 0) > 256
    }

    /// The command's bytes, in short form where possible and extended form otherwise.
    public func encoded() throws -> [UInt8] {
        guard data.count <= 65535 else {
            throw APDUError.unencodableCommand("\(data.count) bytes of data exceed the 65535-byte maximum")
        }
        if let ne = expectedLength, !(1...65536).contains(ne) {
            throw APDUError.unencodableCommand("expected length \(ne) is outside 1...65536")
        }
        var bytes: [UInt8] = [cla, ins, p1, p2]
        if !needsExtendedLength {
            if !data.isEmpty { bytes.append(UInt8(data.count)); bytes += data }
            if let ne = expectedLength { bytes.append(UInt8(truncatingIfNeeded: ne)) }  // 256 → 00
            return bytes
        }
        bytes.append(0x00)
        if !data.isEmpty {
            bytes += [UInt8(data.count >> 8), UInt8(data.count & 0xFF)]
            bytes += data
        }
        if let ne = expectedLength {
            let encodedNe = ne == 65536 ? 0 : ne
            bytes += [UInt8(encodedNe >> 8), UInt8(encodedNe & 0xFF)]
        }
        return bytes
    }

    /// Parses a command APDU from its bytes, as a card does.
    /// - Throws: ``APDUError/malformedCommand(_:)`` when the bytes match none of the ISO 7816-4 cases.
    public init(bytes: [UInt8]) throws {
        guard bytes.count >= 4 else {
            throw APDUError.malformedCommand("\(bytes.count) byte(s); a command has at least 4 header bytes")
        }
        cla = bytes[0]; ins = bytes[1]; p1 = bytes[2]; p2 = bytes[3]
        data = []
        expectedLength = nil
        let body = Array(bytes[4...])
        if body.isEmpty { return }  // case 1
        if body.count == 1 {  // case 2 short
            expectedLength = body[0] == 0 ? 256 : Int(body[0])
            return
        }
        if body[0] != 0 {  // short form: Lc data [Le]
            let lc = Int(body[0])
            if body.count == 1 + lc { data = Array(body[1...]); return }
            if body.count == 2 + lc {
                data = Array(body[1...lc])
                expectedLength = body[lc + 1] == 0 ? 256 : Int(body[lc + 1])
                return
            }
            throw APDUError.malformedCommand("Lc says \(lc) data bytes but \(body.count - 1) follow")
        }
        // Extended form: body starts with 00.
        if body.count == 3 {  // case 2 extended
            let le = Int(body[1]) << 8 | Int(body[2])
            expectedLength = le == 0 ? 65536 : le
            return
        }
        guard body.count > 3 else {
            throw APDUError.malformedCommand("truncated extended length field")
        }
        let lc = Int(body[1]) << 8 | Int(body[2])
        guard lc > 0 else { throw APDUError.malformedCommand("extended Lc of zero") }
        if body.count == 3 + lc { data = Array(body[3...]); return }
        if body.count == 5 + lc {
            data = Array(body[3..<(3 + lc)])
            let le = Int(body[3 + lc]) << 8 | Int(body[4 + lc])
            expectedLength = le == 0 ? 65536 : le
            return
        }
        throw APDUError.malformedCommand("extended Lc says \(lc) data bytes but the command has \(body.count - 3) more bytes")
    }
}
