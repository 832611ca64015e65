import Dispatch
import NIOConcurrencyHelpers
import NIOCore

/// A deterministic event loop for unit tests with a manual clock, like NIOEmbedded's `EmbeddedEventLoop`
/// (which this test target cannot import: it depends on NIOCore only through PierCore).
/// Tasks run only from `run()` / `advanceTime(by:)`, on the calling thread, in deadline then submission order.
/// `inEventLoop` is true unless a test turns it off to exercise the "hop with `execute`" path.
final class ManualEventLoop: EventLoop, CustomStringConvertible {
    private struct Pending {
        var id: UInt64
        var deadline: NIODeadline
        var run: @Sendable () -> Void
        var fail: @Sendable (any Error) -> Void
    }

    private struct State {
        var now = NIODeadline.uptimeNanoseconds(0)
        var nextID: UInt64 = 0
        var pending: [Pending] = []
        var inEventLoop = true
        var shutDown = false
    }

    private let state = NIOLockedValueBox(State())

    let description = "ManualEventLoop"

    init(inEventLoop: Bool = true) {
        state.withLockedValue { $0.inEventLoop = inEventLoop }
    }

    var now: NIODeadline { state.withLockedValue { $0.now } }

    var inEventLoop: Bool {
        get { state.withLockedValue { $0.inEventLoop } }
        set { state.withLockedValue { $0.inEventLoop = newValue } }
    }

    /// Tasks waiting to run (scheduled or executed, not yet due or not yet run).
    var pendingCount: Int { state.withLockedValue { $0.pending.count } }

    func execute(_ task: @escaping @Sendable () -> Void) {
        state.withLockedValue { s in
            s.nextID += 1
            s.pending.append(Pending(id: s.nextID, deadline: s.now, run: task, fail: { _ in }))
        }
    }

    @discardableResult
    func scheduleTask<T>(deadline: NIODeadline, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        let promise: EventLoopPromise<T> = makePromise()
        let id: UInt64? = state.withLockedValue { s in
            guard !s.shutDown else { return nil }
            s.nextID += 1
            s.pending.append(Pending(id: s.nextID, deadline: deadline, run: {
                do {
                    promise.assumeIsolatedUnsafeUnchecked().succeed(try task())
                } catch {
                    promise.fail(error)
                }
            }, fail: { promise.fail($0) }))
            return s.nextID
        }
        guard let id else {
            promise.fail(EventLoopError.shutdown)
            return Scheduled(promise: promise, cancellationTask: {})
        }
        return Scheduled(promise: promise, cancellationTask: { [state] in
            state.withLockedValue { s in s.pending.removeAll { $0.id == id } }
        })
    }

    @discardableResult
    func scheduleTask<T>(in delay: TimeAmount, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        scheduleTask(deadline: now + delay, task)
    }

    /// Runs everything due now, including tasks those tasks submit for now.
    func run() { advanceTime(by: .zero) }

    /// Moves the clock forward, running each task as its deadline is reached.
    func advanceTime(by amount: TimeAmount) {
        let target = now + amount
        while true {
            let next: Pending? = state.withLockedValue { s in
                guard let i = s.pending.indices.filter({ s.pending[$0].deadline <= target })
                    .min(by: { (s.pending[$0].deadline, s.pending[$0].id) < (s.pending[$1].deadline, s.pending[$1].id) })
                else { return nil }
                let task = s.pending.remove(at: i)
                s.now = max(s.now, task.deadline)
                return task
            }
            guard let next else { break }
            next.run()
        }
        state.withLockedValue { $0.now = max($0.now, target) }
    }

    func preconditionInEventLoop(file: StaticString, line: UInt) {}
    func preconditionNotInEventLoop(file: StaticString, line: UInt) {}
    func _preconditionSafeToWait(file: StaticString, line: UInt) {}

    func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable ((any Error)?) -> Void) {
        let dropped = state.withLockedValue { s in
            s.shutDown = true
            defer { s.pending = [] }
            return s.pending
        }
        for task in dropped { task.fail(EventLoopError.cancelled) }
        queue.async { callback(nil) }
    }
}
