/// A structure-aware mutator for BER-TLV and DER inputs (card files, certificates, CMS): it parses the input
/// into a tree of objects, changes one object — empties, removes, doubles, swaps or splices it, changes its
/// tag or content, or makes its length field lie — and encodes the tree again with every other length right.
/// So each mutant is valid TLV with one field changed, which random byte changes almost never produce
/// (they found neither the empty-digest-algorithm crash nor the 2^32−1 lengths).
enum TLVMutator {
    /// libFuzzer's custom mutator entry: mutates the `size` bytes at `data` in place (at most `maxSize`).
    static func mutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
        var random = SplitMix(seed: seed)
        let input = Array(UnsafeBufferPointer(start: data, count: size))
        // A quarter of the time, and whenever the input is not TLV, libFuzzer's byte-level mutations.
        guard random.next() % 4 != 0, var nodes = BERNode.parseAll(input[...], depth: 0), !nodes.isEmpty else {
            return LLVMFuzzerMutate(data, size, maxSize)
        }
        let paths = BERNode.paths(nodes)
        let path = paths[Int(random.next() % UInt64(paths.count))]
        let donor = BERNode.node(at: paths[Int(random.next() % UInt64(paths.count))], in: nodes)
        BERNode.change(&nodes, at: path[...], random: &random, donor: donor)
        let output = nodes.flatMap(\.encoded)
        let written = store(output, into: data, maxSize: maxSize)
        return written > 0 ? written : LLVMFuzzerMutate(data, size, maxSize)
    }
}

/// One object as the mutator sees it. `tag` empty marks bytes that are not TLV (padding, a trailer), kept as they are.
struct BERNode {
    var tag: [UInt8]
    var children: [BERNode]?
    var content: [UInt8]
    /// A length field that lies about the content, when a mutation made it so.
    var lengthField: [UInt8]?

    var encoded: [UInt8] {
        guard !tag.isEmpty else { return content }
        let body = children.map { $0.flatMap(\.encoded) } ?? content
        return tag + (lengthField ?? Self.length(body.count)) + body
    }

    static func length(_ count: Int) -> [UInt8] {
        switch count {
        case ..<0x80: [UInt8(count)]
        case ..<0x100: [0x81, UInt8(count)]
        case ..<0x10000: [0x82, UInt8(count >> 8), UInt8(count & 0xFF)]
        default: [0x83, UInt8(truncatingIfNeeded: count >> 16), UInt8(truncatingIfNeeded: count >> 8), UInt8(truncatingIfNeeded: count)]
        }
    }

    /// The objects that make up `bytes` exactly (a tail that is not TLV becomes one raw node), or `nil`
    /// when not even the first object parses.
    static func parseAll(_ bytes: ArraySlice<UInt8>, depth: Int) -> [BERNode]? {
        var nodes: [BERNode] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard depth < 24, let (node, next) = parse(bytes, at: index, depth: depth) else {
                if nodes.isEmpty { return nil }
                nodes.append(BERNode(tag: [], children: nil, content: Array(bytes[index...])))
                break
            }
            nodes.append(node)
            index = next
        }
        return nodes
    }

    private static func parse(_ bytes: ArraySlice<UInt8>, at start: Int, depth: Int) -> (BERNode, Int)? {
        var index = start
        let first = bytes[index]
        index += 1
        if first & 0x1F == 0x1F {
            repeat {
                guard index < bytes.endIndex, index - start < 4 else { return nil }
                index += 1
            } while bytes[index - 1] & 0x80 != 0
        }
        let tag = Array(bytes[start..<index])
        guard index < bytes.endIndex else { return nil }
        var length = Int(bytes[index])
        index += 1
        if length >= 0x80 {
            let count = length & 0x7F
            guard (1...3).contains(count), bytes.endIndex - index >= count else { return nil }
            length = bytes[index..<(index + count)].reduce(0) { $0 << 8 | Int($1) }
            index += count
        }
        guard length <= bytes.endIndex - index else { return nil }
        let body = bytes[index..<(index + length)]
        let children = first & 0x20 != 0 && !body.isEmpty ? parseAll(body, depth: depth + 1) : nil
        return (BERNode(tag: tag, children: children, content: Array(body)), index + length)
    }

    /// Every node's path (child indices from the top level).
    static func paths(_ nodes: [BERNode], prefix: [Int] = []) -> [[Int]] {
        nodes.enumerated().flatMap { index, node in
            [prefix + [index]] + (node.children.map { paths($0, prefix: prefix + [index]) } ?? [])
        }
    }

    static func node(at path: [Int], in nodes: [BERNode]) -> BERNode {
        let node = nodes[path[0]]
        return path.count == 1 ? node : self.node(at: Array(path.dropFirst()), in: node.children ?? [])
    }

    /// Length fields that lie: zero, indefinite, one byte short or long, 0xFFFF, 2^24−1, 2^32−1, five bytes.
    static let lyingLengths: [[UInt8]] = [[0x00], [0x7F], [0x80], [0x81, 0xFF], [0x82, 0xFF, 0xFF], [0x83, 0xFF, 0xFF, 0xFF],
                                          [0x84, 0xFF, 0xFF, 0xFF, 0xFF], [0x85, 0x00, 0x00, 0x00, 0x00, 0x01], [0x82, 0x00, 0x00]]
    /// Contents that sit on edges: empty, zero, all ones, a lone sign bit, a long run.
    static let edgeContents: [[UInt8]] = [[], [0x00], [0xFF], [0x80], [0x00, 0x00], [0x7F, 0xFF, 0xFF, 0xFF],
                                          [UInt8](repeating: 0xFF, count: 32), [UInt8](repeating: 0x00, count: 300)]

    static func change(_ nodes: inout [BERNode], at path: ArraySlice<Int>, random: inout SplitMix, donor: BERNode) {
        let index = path[path.startIndex]
        if path.count > 1 {
            guard var children = nodes[index].children else { return }
            change(&children, at: path.dropFirst(), random: &random, donor: donor)
            nodes[index].children = children
            return
        }
        switch random.next() % 9 {
        case 0: nodes[index].children = nodes[index].children.map { _ in [] }; nodes[index].content = []
        case 1: nodes.remove(at: index)
        case 2: nodes.insert(nodes[index], at: index)
        case 3:
            if nodes.count > 1 { nodes.swapAt(index, Int(random.next() % UInt64(nodes.count))) }
        case 4: nodes[index] = donor
        case 5: nodes[index].lengthField = lyingLengths.randomElement(using: &random)
        case 6:
            guard !nodes[index].tag.isEmpty else { return }
            let byte = Int(random.next() % UInt64(nodes[index].tag.count))
            nodes[index].tag[byte] ^= 1 << UInt8(random.next() % 8)
            if nodes[index].tag[0] & 0x20 == 0 { nodes[index].children = nil }
        case 7:
            nodes[index].children = nil
            nodes[index].content = edgeContents.randomElement(using: &random) ?? []
        default:
            // libFuzzer's byte mutations inside one primitive's content; the lengths around it stay right.
            guard nodes[index].children == nil else { return }
            guard !nodes[index].content.isEmpty else { return nodes[index].content = [UInt8(truncatingIfNeeded: random.next())] }
            var buffer = nodes[index].content + [UInt8](repeating: 0, count: 64)
            let size = buffer.withUnsafeMutableBufferPointer { LLVMFuzzerMutate($0.baseAddress!, nodes[index].content.count, $0.count) }
            nodes[index].content = Array(buffer.prefix(size))
        }
    }
}
