import APDU
import CardSession

/// The objects inside the one constructed object a card file starts with, which must carry `tag`; `bad` words
/// each failure for the file being read ("is not TLV data", "does not start with …", "has malformed contents").
func constructedContents(of bytes: [UInt8], tag: UInt32, bad: (String) -> CardSessionError) throws -> [TLV] {
    let outer: TLV
    do { outer = try TLV.parseFirst(bytes).0 } catch { throw bad("is not TLV data: \(error)") }
    guard outer.tag == tag else { throw bad("does not start with \(String(tag, radix: 16, uppercase: true))") }
    do { return try TLV.parseAll(outer.value) } catch { throw bad("has malformed contents: \(error)") }
}
