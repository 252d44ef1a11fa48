import CardIO
import Foundation
import ServiceLifecycle

/// Follows the readers for the desk: a thread of its own blocks in PC/SC's wait for changes (no polling) and hands
/// every new state to the desk. When pcscd cannot be reached it says so and tries again every few seconds.
/// Ends when the server shuts down.
struct ReaderWatcher: Service {
    let desk: CounterDesk

    func run() async throws {
        let (changes, continuation) = AsyncStream<ReaderStates?>.makeStream()
        let control = WatchControl()
        let thread = Thread {
            Self.follow(control, continuation)
            continuation.finish()
        }
        thread.name = "mynacard.counter.readers"
        thread.start()
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(15))
                await desk.heartbeat()
            }
        }
        await withGracefulShutdownHandler {
            for await states in changes {
                if let states { await desk.readersChanged(states) } else { await desk.serviceUnavailable() }
            }
        } onGracefulShutdown: {
            control.stop()
        }
        heartbeat.cancel()
        await desk.close()
    }

    /// The watching loop, on its own thread: `nil` in the stream means "PC/SC is not reachable".
    private static func follow(_ control: WatchControl, _ continuation: AsyncStream<ReaderStates?>.Continuation) {
        while !control.isStopped {
            do {
                let context = try PCSCContext()
                guard control.watch(context.waitCanceller) else { return }
                var states = try context.readerStates()
                continuation.yield(states)
                while let fresh = try context.waitForChange(after: states, timeout: nil) {
                    states = fresh
                    continuation.yield(states)
                }
            } catch {
                continuation.yield(nil)
                control.pause(seconds: 3)
            }
        }
    }
}

/// Stops the watching thread: cancels its PC/SC wait, or its pause between attempts to reach pcscd.
private final class WatchControl: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false
    private var canceller: PCSCWaitCanceller?

    var isStopped: Bool { condition.withLock { stopped } }

    /// Remembers the context to cancel; `false` when already stopped.
    func watch(_ canceller: PCSCWaitCanceller) -> Bool {
        condition.withLock {
            self.canceller = canceller
            return !stopped
        }
    }

    func stop() {
        condition.withLock {
            stopped = true
            canceller?.cancel()
            condition.broadcast()
        }
    }

    func pause(seconds: Double) {
        condition.withLock {
            let until = Date().addingTimeInterval(seconds)
            while !stopped && condition.wait(until: until) {}
        }
    }
}
