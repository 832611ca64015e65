import NIOConcurrencyHelpers
import NIOCore

/// A future a test waited on did not complete in time (a lost message, a peer that went silent).
struct FutureTimedOut: Error, CustomStringConvertible {
    var timeout: TimeAmount
    var what: String
    var description: String { "\(what) did not complete within \(timeout.nanoseconds / 1_000_000_000) s" }
}

extension EventLoopFuture where Value: Sendable {
    /// `wait()` with an upper bound, so a lost message fails the test instead of hanging CI.
    /// The bound is generous: it only decides between "slow" and "never", never a pass.
    func wait(timeout: TimeAmount, _ what: String) throws -> Value {
        let promise = eventLoop.makePromise(of: Value.self)
        let settled = NIOLockedValueBox(false)
        let timer = eventLoop.scheduleTask(in: timeout) {
            if settled.withLockedValue({ s in defer { s = true }; return !s }) {
                promise.fail(FutureTimedOut(timeout: timeout, what: what))
            }
        }
        whenComplete { result in
            timer.cancel()
            if settled.withLockedValue({ s in defer { s = true }; return !s }) {
                promise.completeWith(result)
            }
        }
        return try promise.futureResult.wait()
    }
}
