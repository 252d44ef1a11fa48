import Foundation

/// The bytes libFuzzer hands a target.
func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// A file of the repository's fixtures, e.g. `profiles/healthy/text/0004-cv-cert.bin`; without its fixtures
/// the program stops at once rather than fuzz with the wrong inputs.
func fixture(_ path: String) -> [UInt8] {
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { root.deleteLastPathComponent() }  // fuzz/Sources/MynacardFuzz/FuzzSupport.swift
    let url = root.appendingPathComponent("fixtures").appendingPathComponent(path)
    guard let data = try? Data(contentsOf: url) else { fatalError("fuzz target fixture missing: \(url.path)") }
    return [UInt8](data)
}

/// libFuzzer's own mutator, for the byte-level changes the structure-aware mutators leave to it.
@_silgen_name("LLVMFuzzerMutate")
func LLVMFuzzerMutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int) -> Int

/// Writes `bytes` into libFuzzer's buffer if they fit; returns their size, or 0 when they do not.
func store(_ bytes: [UInt8], into data: UnsafeMutablePointer<UInt8>, maxSize: Int) -> Int {
    guard !bytes.isEmpty, bytes.count <= maxSize else { return 0 }
    bytes.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: bytes.count) }
    return bytes.count
}

/// A small deterministic generator, seeded by libFuzzer so that a mutation can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt32) { state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// libFuzzer's driver, for programs that have a `main` of their own.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// Runs libFuzzer with the program's arguments and `testOneInput`, then exits with its status. The program's
/// `main` calls this: a SwiftPM executable brings its own `main`, which would otherwise replace libFuzzer's.
func runFuzzer(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
}
