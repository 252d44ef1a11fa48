import APDU
import FuzzSupport

/// BER-TLV (every card file is parsed with it), command and response APDUs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    if let objects = try? TLV.parseAll(bytes) {
        for object in objects {
            // What is parsed encodes and parses back to the same object.
            precondition((try? TLV.parseFirst(object.encoded))?.0 == object, "TLV does not round-trip")
            if object.isConstructed { _ = try? TLV.parseAll(object.value) }
        }
    }
    if let (object, consumed) = try? TLV.parseFirst(bytes) {
        precondition(consumed <= bytes.count && object.value.count < consumed, "parseFirst consumed more than it was given")
    }
    if let command = try? CommandAPDU(bytes: bytes) {
        precondition((try? CommandAPDU(bytes: command.encoded())) == command, "a command does not round-trip")
    }
    if let response = try? ResponseAPDU(bytes: bytes) {
        _ = response.statusWord.meaning
        precondition(response.bytes == bytes, "a response does not round-trip")
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
