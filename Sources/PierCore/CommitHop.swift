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
        let inbox = LoopInbox.of(home)
        return {
            if home.inEventLoop {
                body()
            } else {
                inbox.post(body)
            }
        }
    }
}

/// Work posted to one event loop from other threads, run in order by a single task per batch: a
/// loop that is handed 50 deliveries in one tick is woken once, not 50 times.
final class LoopInbox: Sendable {
    private let loop: any EventLoop
    private let pending = NIOLockedValueBox<[@Sendable () -> Void]>([])

    private init(loop: any EventLoop) {
        self.loop = loop
    }

    private static let registry = NIOLockedValueBox<[ObjectIdentifier: LoopInbox]>([:])
    /// Each thread's copy of the registry: loops are few and fixed, so lookups take no lock.
    private static let cache = ThreadSpecificVariable<Cache>()

    /// Only ever touched by the thread that owns it.
    private final class Cache: @unchecked Sendable {
        var inboxes: [ObjectIdentifier: LoopInbox] = [:]
    }

    static func of(_ loop: any EventLoop) -> LoopInbox {
        let key = ObjectIdentifier(loop)
        let cache: Cache
        if let c = Self.cache.currentValue {
            cache = c
        } else {
            cache = Cache()
            Self.cache.currentValue = cache
        }
        if let inbox = cache.inboxes[key] { return inbox }
        let inbox = registry.withLockedValue { map in
            if let existing = map[key] { return existing }
            let created = LoopInbox(loop: loop)
            map[key] = created
            return created
        }
        cache.inboxes[key] = inbox
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
            defer { p = [] }
            return p
        }
        for w in work { w() }
    }
}
