import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Storage runs commit callbacks on its writer thread. Work that follows a commit (fan-out to
/// subscribers, queue dispatch, acknowledgements) belongs on the event loop that asked for it, so the
/// writer only ever commits. Callbacks for one loop are collected in that loop's inbox and run by one
/// task per batch, not one task (and one wake-up) per record. Off any event loop (tests, start-up)
/// the callback runs where it is called.
public enum CommitHop {
    public static func toCallingLoop(_ body: @escaping @Sendable () -> Void) -> @Sendable () -> Void {
        guard let home = MultiThreadedEventLoopGroup.currentEventLoop else { return body }
        let inbox = LoopInbox.current(for: home)
        return {
            if home.inEventLoop {
                body()
            } else {
                inbox.post(body)
            }
        }
    }
}

/// Work posted to one event loop from other threads, run in order by a single task per batch.
final class LoopInbox: Sendable {
    private let loop: any EventLoop
    private let pending = NIOLockedValueBox<[@Sendable () -> Void]>([])
    private static let current = ThreadSpecificVariable<LoopInbox>()

    private init(loop: any EventLoop) {
        self.loop = loop
    }

    /// The inbox of `loop`, which is the calling thread's loop: kept per thread, so no lock is taken.
    static func current(for loop: any EventLoop) -> LoopInbox {
        if let inbox = current.currentValue { return inbox }
        let inbox = LoopInbox(loop: loop)
        current.currentValue = inbox
        return inbox
    }

    func post(_ work: @escaping @Sendable () -> Void) {
        let first = pending.withLockedValue { p in
            p.append(work)
            return p.count == 1
        }
        if first { loop.execute { self.drain() } }
    }

    private func drain() {
        let work = pending.withLockedValue { p in
            defer { p.removeAll(keepingCapacity: true) }
            return p
        }
        for w in work { w() }
    }
}
