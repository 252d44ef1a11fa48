/// The ISO 7816-4 and JPKI commands this card understands, built with the parameters the card expects.
extension CommandAPDU {
    /// SELECT by DF name (`00 A4 04 0C Lc AID`): makes an applet current, asking for no FCI.
    public static func select(applet aid: AID) -> CommandAPDU {
        CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x0C, data: aid.bytes)
    }

    /// SELECT by file identifier (`00 A4 02 0C 02 FID`): makes an elementary file current.
    public static func select(file fid: FileID) -> CommandAPDU {
        CommandAPDU(ins: 0xA4, p1: 0x02, p2: 0x0C, data: fid.bytes)
    }

    /// READ BINARY (`00 B0 offset Le`) from the current elementary file; the offset is at most 0x7FFF.
    public static func readBinary(offset: Int, length: Int) -> CommandAPDU {
        precondition((0...0x7FFF).contains(offset), "READ BINARY offsets are 15-bit")
        return CommandAPDU(ins: 0xB0, p1: UInt8(offset >> 8), p2: UInt8(offset & 0xFF), expectedLength: length)
    }

    /// VERIFY (`00 20 00 80`) against the current PIN file. With no PIN it only asks the retry counter.
    public static func verify(pin: [UInt8]? = nil) -> CommandAPDU {
        CommandAPDU(ins: 0x20, p1: 0x00, p2: 0x80, data: pin ?? [])
    }

    /// The retry query for a PIN file named by its short EF identifier (`00 20 00 80|SFI`), so that it
    /// needs no SELECT first (JICSAP, as soltia48/myna-card uses it). `sfi` is 1 to 30.
    public static func retryQuery(shortFileIdentifier sfi: UInt8) -> CommandAPDU {
        CommandAPDU(ins: 0x20, p1: 0x00, p2: 0x80 | (sfi & 0x1F))
    }

    /// VERIFY of a PIN file named by its short EF identifier (`00 20 00 80|SFI Lc PIN`), as
    /// soltia48/myna-card's `verify_sfi` sends it: no SELECT first. `sfi` is 1 to 30.
    public static func verify(pin: [UInt8], shortFileIdentifier sfi: UInt8) -> CommandAPDU {
        CommandAPDU(ins: 0x20, p1: 0x00, p2: 0x80 | (sfi & 0x1F), data: pin)
    }

    /// CHANGE REFERENCE DATA (`00 24 01 80 Lc new-PIN`) for the current, already verified PIN file.
    public static func changeReferenceData(newPIN: [UInt8]) -> CommandAPDU {
        CommandAPDU(ins: 0x24, p1: 0x01, p2: 0x80, data: newPIN)
    }

    /// COMPUTE DIGITAL SIGNATURE, JPKI's proprietary form (`80 2A 00 80 Lc DigestInfo 00`):
    /// the card pads the DigestInfo with PKCS#1 v1.5 and signs it with the current key file.
    public static func computeDigitalSignature(digestInfo: [UInt8]) -> CommandAPDU {
        CommandAPDU(cla: 0x80, ins: 0x2A, p1: 0x00, p2: 0x80, data: digestInfo, expectedLength: 256)
    }

    /// COMPUTE DIGITAL SIGNATURE with the current applet's own card key (`80 2A 00 00 Lc DigestInfo 00`): the
    /// card-face and text applets sign a challenge's DigestInfo with it without any PIN (internal
    /// authentication; docs/card-facts.md).
    public static func internalAuthenticate(digestInfo: [UInt8]) -> CommandAPDU {
        CommandAPDU(cla: 0x80, ins: 0x2A, p1: 0x00, p2: 0x00, data: digestInfo, expectedLength: 256)
    }

    /// GET RESPONSE (`00 C0 00 00 Le`): fetches the rest of a response announced with `61 xx`.
    public static func getResponse(length: Int) -> CommandAPDU {
        CommandAPDU(ins: 0xC0, p1: 0x00, p2: 0x00, expectedLength: length)
    }
}
