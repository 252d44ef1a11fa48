import CardImages
import FuzzSupport

/// The card-face photo's path: JPEG2000Header and the limits, then OpenJPEG (the system library, not
/// instrumented: only what it does to our memory and time shows) and the PNG writer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    if let header = try? JPEG2000Header(bytes) {
        _ = try? JPEG2000Limits.cardPhoto.check(header)
    }
    if let image = try? JPEG2000Decoder.decode(bytes) {
        precondition(image.width <= JPEG2000Limits.cardPhoto.maximumWidth && image.height <= JPEG2000Limits.cardPhoto.maximumHeight)
        _ = try? PNGEncoder.encode(image)
    }
    return 0
}

@_cdecl("LLVMFuzzerCustomMutator")
public func fuzzMutate(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    HeaderFieldMutator.mutate(data!, size, maxSize, seed)
}

@main enum Entry {
    static func main() { runFuzzer(fuzzOne) }
}
