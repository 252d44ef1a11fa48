import FuzzSupport
import JPKIApplet
import X509

let content = Array("署名される文書 (fuzz/make-seeds.py signs these bytes)".utf8)
let signCertificate = try! Certificate(derEncoded: fixture("profiles/healthy/jpki/sign-cert.der"))

/// Detached CMS SignedData as `jpki verify --cms` reads it, and raw PKCS#1 signatures (the DigestInfo
/// inside them is checked by swift-crypto) as `jpki verify` reads them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    if let document = try? DetachedCMSSignature(derEncoded: bytes) {
        _ = document.verify(contentDigest: document.hash.hash(content), signer: document.embeddedSignerCertificate ?? signCertificate)
    }
    for hash in JPKIHashAlgorithm.allCases {
        _ = RawSignature.verify(signature: bytes, contentDigest: hash.hash(content), certificate: signCertificate)
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
