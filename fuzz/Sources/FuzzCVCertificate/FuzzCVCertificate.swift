import FuzzSupport
import KenmenAP

let textRoot = try! rootPublicKey(pem: String(decoding: fixture("ca/text-root.pem"), as: UTF8.self))
let faceRoot = try! rootPublicKey(pem: String(decoding: fixture("ca/face-root.pem"), as: UTF8.self))
let basicInfo = try! BasicInfo(file: fixture("profiles/healthy/text/0002-basic-info.bin"))
let cardFace = try! CardFace(file: fixture("profiles/healthy/face/0002-card-face.bin"))
let myNumberFile = fixture("profiles/healthy/text/0001-my-number.bin")
let signatureFile = fixture("profiles/healthy/text/0003-signature.bin")

/// The CV certificate (EF 0004 of the text and card-face applets), and the checks that use its key.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let certificate = try? CVCertificate(der: fuzzInput(data, size)) else { return 0 }
    _ = certificate.issuerKeyIDText
    _ = certificate.isSigned(by: textRoot)
    _ = try? TextAuthenticityReport(myNumberFile: myNumberFile, basicInfo: basicInfo, signatureFile: signatureFile,
                                    certificate: certificate, root: textRoot)
    _ = FaceAuthenticityReport(face: cardFace, certificate: certificate, root: faceRoot)
    return 0
}

@_cdecl("LLVMFuzzerCustomMutator")
public func fuzzMutate(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    TLVMutator.mutate(data!, size, maxSize, seed)
}

@main enum Entry {
    static func main() { runFuzzer(fuzzOne) }
}
