import Foundation

/// One libFuzzer program for every target: `MYNACARD_FUZZ_TARGET` (set by fuzz/run) names the parsers to
/// feed and so the mutator that suits their input. One program links once, where nine took nine links.
@main enum MynacardFuzz {
    static func main() {
        _ = selected  // an unknown target ends here, before libFuzzer starts
        runFuzzer(testOneInput)
    }
}

/// One fuzz target: the parsers it feeds and the mutator that suits their input.
struct FuzzTarget: Sendable {
    enum Mutator { case tlv, jsonFields, headerFields, bytes }
    let name: String
    let mutator: Mutator
    let run: @Sendable ([UInt8]) -> Void
}

/// The target `MYNACARD_FUZZ_TARGET` names.
let selected: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["MYNACARD_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget.all.first(where: { $0.name == name }) else {
        FileHandle.standardError.write(Data("MYNACARD_FUZZ_TARGET must name a target: \(FuzzTarget.all.map(\.name).joined(separator: " "))\n".utf8))
        exit(64)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    selected.run(fuzzInput(data, size))
    return 0
}

@_cdecl("LLVMFuzzerCustomMutator")
func customMutator(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    guard let data else { return 0 }
    return switch selected.mutator {
    case .tlv: TLVMutator.mutate(data, size, maxSize, seed)
    case .jsonFields: JSONFieldMutator.mutate(data, size, maxSize, seed)
    case .headerFields: HeaderFieldMutator.mutate(data, size, maxSize, seed)
    case .bytes: LLVMFuzzerMutate(data, size, maxSize)
    }
}
