/// A mutator for binary headers of fixed fields (JPEG 2000's boxes and marker segments): half the time it
/// overwrites a 1-, 2- or 4-byte big-endian field near the start with a value on an edge — 0, 1, the top of
/// its range, 60000, just past a limit — as a hostile card would patch a photo's declared size; else it
/// leaves the input to libFuzzer's byte mutations.
enum HeaderFieldMutator {
    /// libFuzzer's custom mutator entry; only the first `headerLength` bytes are patched.
    static func mutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: UInt32,
                              headerLength: Int = 256) -> Int {
        var random = SplitMix(seed: seed)
        let width = [1, 2, 4][Int(random.next() % 3)]
        guard random.next() % 2 == 0, size >= width else { return LLVMFuzzerMutate(data, size, maxSize) }
        let edges: [UInt64] = [0, 1, 2, 3, 0x7F, 0x80, 0xFF, 0x100, 1600, 1601, 4096, 32768, 60000, 0xFFFF, 0x10000,
                               0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, random.next()]
        let value = edges[Int(random.next() % UInt64(edges.count))]
        let position = Int(random.next() % UInt64(min(size, headerLength) - width + 1))
        for byte in 0..<width {
            data[position + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(width - 1 - byte)))
        }
        return size
    }
}
