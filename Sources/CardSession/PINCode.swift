import APDU
import Foundation

/// A PIN on its way to the card. It is never printed (its descriptions are redacted), never kept
/// longer than the value lives, and its memory is wiped when the value goes away.
public final class PINCode: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let storage: UnsafeMutableBufferPointer<UInt8>

    /// Takes the PIN's bytes, wiping the caller's array as it does.
    public init(consuming bytes: inout [UInt8]) {
        storage = .allocate(capacity: max(bytes.count, 1))
        storage.initialize(repeating: 0)
        for index in bytes.indices { storage[index] = bytes[index] }
        count = bytes.count
        wipe(&bytes)
    }

    /// The PIN's length in bytes.
    public let count: Int

    deinit {
        for index in storage.indices { storage[index] = 0 }
        storage.deallocate()
    }

    /// Lends the PIN's bytes to `body` (to build a VERIFY command); do not keep them.
    public func withBytes<T>(_ body: ([UInt8]) throws -> T) rethrows -> T {
        var copy = Array(storage.prefix(count))
        defer { wipe(&copy) }
        return try body(copy)
    }

    /// Whether two PINs are the same, compared without leaving copies behind.
    public func matches(_ other: PINCode) -> Bool {
        guard count == other.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<count { difference |= storage[index] ^ other.storage[index] }
        return difference == 0
    }

    public var description: String { "PIN(redacted)" }
    public var debugDescription: String { "PIN(redacted)" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
