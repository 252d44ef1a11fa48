import FuzzSupport
import KenmenAP

let textRoot = try! rootPublicKey(pem: String(decoding: fixture("ca/text-root.pem"), as: UTF8.self))
let certificate = try! CVCertificate(der: fixture("profiles/healthy/text/0004-cv-cert.bin"))
let basicInfo = try! BasicInfo(file: fixture("profiles/healthy/text/0002-basic-info.bin"))

/// The text applet's EF 0001 (My Number), EF 0002 (basic info) and EF 0003 (hashes and signature).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    if let number = try? MyNumber(file: bytes) {
        _ = number.hasValidCheckDigit
        _ = number.masked
        _ = number.grouped
    }
    if let info = try? BasicInfo(file: bytes) {
        _ = info.maskedName
        _ = info.maskedAddress
        _ = info.birthDate.description
        _ = info.description
    }
    _ = try? TextAuthenticityReport(myNumberFile: bytes, basicInfo: basicInfo, signatureFile: bytes, certificate: certificate, root: textRoot)
    return 0
}

@_cdecl("LLVMFuzzerCustomMutator")
public func fuzzMutate(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    TLVMutator.mutate(data!, size, maxSize, seed)
}

@main enum Entry {
    static func main() { runFuzzer(fuzzOne) }
}
