import Foundation
import FuzzSupport
import JPKIApplet
import X509

let verifier = LoginVerifier(ca: try! Certificate(derEncoded: fixture("profiles/healthy/jpki/auth-ca.der")))
let moment = Date(timeIntervalSince1970: 1_800_000_000)  // inside the fixtures' validity

/// The login bundle `jpki login-verify` reads: JSON, its base64 certificate, signature and challenge.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let bundle = try? JSONDecoder().decode(LoginBundle.self, from: Data(fuzzInput(data, size))) else { return 0 }
    _ = try? verifier.verify(bundle, at: moment)
    _ = try? verifier.verify(bundle, expectedChallenge: Array("challenge".utf8), at: moment)
    return 0
}

@_cdecl("LLVMFuzzerCustomMutator")
public func fuzzMutate(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    JSONFieldMutator.mutate(data!, size, maxSize, seed)
}

@main enum Entry {
    static func main() { runFuzzer(fuzzOne) }
}
