import CardImages
import FuzzSupport
import KenmenAP

let faceRoot = try! rootPublicKey(pem: String(decoding: fixture("ca/face-root.pem"), as: UTF8.self))
let certificate = try! CVCertificate(der: fixture("profiles/healthy/face/0004-cv-cert.bin"))

/// The card face (EF 0002 of the card-face applet), its signature check, and its photo as `mynacard face`
/// treats it: decoded only when the card face is not found forged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let face = try? CardFace(file: fuzzInput(data, size)) else { return 0 }
    let report = FaceAuthenticityReport(face: face, certificate: certificate, root: faceRoot)
    if case .notGenuine = report.result { return 0 }
    if let image = try? JPEG2000Decoder.decode(face.photo) { _ = try? PNGEncoder.encode(image) }
    return 0
}

@_cdecl("LLVMFuzzerCustomMutator")
public func fuzzMutate(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    TLVMutator.mutate(data!, size, maxSize, seed)
}

@main enum Entry {
    static func main() { runFuzzer(fuzzOne) }
}
