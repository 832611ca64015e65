import NIOCore
import NIOPosix

/// Storage runs commit callbacks on its writer thread. Work that follows a commit (fan-out to
/// subscribers, queue dispatch, acknowledgements) belongs on the event loop that asked for it, so
/// the writer only ever commits: this wraps a callback to run there. Off any event loop (tests,
/// start-up) it runs where it is called.
public enum CommitHop {
    public static func toCallingLoop(_ body: @escaping @Sendable () -> Void) -> @Sendable () -> Void {
        guard let home = MultiThreadedEventLoopGroup.currentEventLoop else { return body }
        return {
            if home.inEventLoop {
                body()
            } else {
                home.execute(body)
            }
        }
    }
}
