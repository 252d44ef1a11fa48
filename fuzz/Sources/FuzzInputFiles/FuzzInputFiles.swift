import APDU
import FuzzSupport
import JPKIApplet
import KenmenAP

/// The files users give: certificates in PEM or DER (`--cert`, `--ca`), signature files (raw, base64,
/// JSON), root keys (`--root`: a certificate, `PUBLIC KEY` or `RSA PUBLIC KEY` PEM), and hex on the command line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    if let certificate = try? CertificateFile.parse(bytes) {
        _ = certificate.subject.description
        _ = certificate.isIssued(by: certificate)
    }
    _ = SignatureFile(bytes)
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? rootPublicKey(pem: text)
    _ = [UInt8](hex: text)
    return 0
}

@_cdecl("LLVMFuzzerCustomMutator")
public func fuzzMutate(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    TLVMutator.mutate(data!, size, maxSize, seed)
}

@main enum Entry {
    static func main() { runFuzzer(fuzzOne) }
}
