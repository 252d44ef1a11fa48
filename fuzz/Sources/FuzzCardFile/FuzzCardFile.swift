import APDU
import CardIO
import CardSession
import FuzzSupport
import JPKIApplet

/// A card whose every file holds the fuzz input: SELECT always succeeds, READ BINARY reads the input as
/// the card does (`62 82` at the end, `6B 00` past it).
final class FileCard: CardTransport {
    let file: [UInt8]
    let readerName = "fuzz"
    let atr: [UInt8] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14]
    let isCardPresent = true
    init(_ file: [UInt8]) { self.file = file }
    func beginTransaction() throws {}
    func endTransaction() throws {}

    func transmitRaw(_ bytes: [UInt8]) throws -> [UInt8] {
        let command = try CommandAPDU(bytes: bytes)
        guard command.ins == 0xB0 else { return [0x90, 0x00] }
        let offset = Int(command.p1 & 0x7F) << 8 | Int(command.p2)
        guard offset < file.count else { return [0x6B, 0x00] }
        let wanted = command.expectedLength ?? 256
        let end = min(file.count, offset + wanted)
        return Array(file[offset..<end]) + (end - offset < wanted ? [0x62, 0x82] : [0x90, 0x00])
    }
}

/// The certificate-length reader (CardSession.readTLVFile reads a file's header, then exactly what it
/// claims) and what reads certificates and the token label from it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    let card = FileCard(bytes)
    if let read = try? CardSession(transport: card).readTLVFile(FileID(0x000A), name: "a fuzzed file") {
        precondition(read.count <= bytes.count && Array(bytes.prefix(read.count)) == read, "read more or other than the file")
    }
    if let jpki = try? JPKISession(transport: card) {
        if let certificate = try? jpki.certificate(.authentication) {
            _ = certificate.serialHex
            _ = certificate.serialDecimal
            _ = certificate.publicKeySummary
            _ = certificate.certificate.validity(at: certificate.certificate.notValidBefore)
        }
        _ = try? jpki.tokenLabel()
    }
    return 0
}

@_cdecl("LLVMFuzzerCustomMutator")
public func fuzzMutate(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    TLVMutator.mutate(data!, size, maxSize, seed)
}

@main enum Entry {
    static func main() { runFuzzer(fuzzOne) }
}
