import Foundation

/// A structure-aware mutator for JSON objects of string fields (the login bundle): it changes one field —
/// removes it, gives it another type or an edge value, or, for a base64 field (certificate, signature),
/// decodes it, applies ``TLVMutator`` to the bytes and encodes it again — so the JSON stays valid and the
/// change reaches the DER inside.
enum JSONFieldMutator {
    /// libFuzzer's custom mutator entry.
    static func mutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
        var random = SplitMix(seed: seed)
        guard random.next() % 4 != 0,
              var object = (try? JSONSerialization.jsonObject(with: Data(UnsafeBufferPointer(start: data, count: size)))) as? [String: Any],
              let key = object.keys.sorted().randomElement(using: &random) else {
            return LLVMFuzzerMutate(data, size, maxSize)
        }
        switch random.next() % 6 {
        case 0: object[key] = nil
        case 1: object[key] = NSNull()
        case 2: object[key] = [0, -1, 2, Int.max, Int.min].randomElement(using: &random)
        case 3: object[key] = ["", "=", "AA", String(repeating: "A", count: 4096)].randomElement(using: &random)
        default:
            guard let text = object[key] as? String, let bytes = Data(base64Encoded: text).map(Array.init), !bytes.isEmpty else {
                return LLVMFuzzerMutate(data, size, maxSize)
            }
            var buffer = bytes + [UInt8](repeating: 0, count: bytes.count + 64)
            let used = buffer.withUnsafeMutableBufferPointer {
                TLVMutator.mutate($0.baseAddress!, bytes.count, $0.count, UInt32(truncatingIfNeeded: random.next()))
            }
            object[key] = Data(buffer.prefix(used)).base64EncodedString()
        }
        guard let output = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return LLVMFuzzerMutate(data, size, maxSize)
        }
        let written = store(Array(output), into: data, maxSize: maxSize)
        return written > 0 ? written : LLVMFuzzerMutate(data, size, maxSize)
    }
}
