import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// One open event stream (`/api/events` or `/api/tail`) on an HTTP connection. Producers on any thread
/// `offer` ready-made events; they only take a short lock and, at most once per batch, post a flush to
/// the connection's loop. The buffer is bounded: while the browser reads slower than events arrive (the
/// channel is not writable), the oldest events are dropped and the reader is told how many with a
/// comment, so a slow console never holds memory or a broker thread.
final class AdminStream: Sendable {
    /// Events held per stream while the socket is not writable.
    static let capacity = 1024

    let channel: any Channel
    private let state = NIOLockedValueBox(State())

    private struct State {
        var pending = CircularBuffer<String>(initialCapacity: 16)
        var dropped = 0
        var flushPosted = false
        var closed = false
        var onClose: [@Sendable () -> Void] = []
    }

    init(channel: any Channel) {
        self.channel = channel
    }

    var isClosed: Bool { state.withLockedValue { $0.closed } }

    /// Queues `event` (already in wire format); from any thread.
    func offer(_ event: String) {
        let post: Bool = state.withLockedValue { s in
            guard !s.closed else { return false }
            if s.pending.count >= Self.capacity {
                s.pending.removeFirst()
                s.dropped += 1
            }
            s.pending.append(event)
            guard !s.flushPosted else { return false }
            s.flushPosted = true
            return true
        }
        if post { channel.eventLoop.execute { self.flush() } }
    }

    /// Writes what is pending, unless the socket is backed up: then `channelWritabilityChanged` calls again.
    /// On the channel's loop.
    func flush() {
        let writable = channel.isWritable
        let (events, dropped): (CircularBuffer<String>, Int) = state.withLockedValue { s in
            s.flushPosted = false
            guard writable, !s.closed, !s.pending.isEmpty || s.dropped > 0 else { return ([], 0) }
            defer {
                s.pending.removeAll(keepingCapacity: true)
                s.dropped = 0
            }
            return (s.pending, s.dropped)
        }
        guard !events.isEmpty || dropped > 0 else { return }
        var buffer = channel.allocator.buffer(capacity: events.reduce(32) { $0 + $1.utf8.count })
        if dropped > 0 { buffer.writeString(ServerSentEvent.comment("dropped \(dropped) events: the reader was too slow")) }
        for e in events { buffer.writeString(e) }
        channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
    }

    /// Runs `cleanup` when the stream closes (at once if it already has).
    func onClose(_ cleanup: @escaping @Sendable () -> Void) {
        let now: Bool = state.withLockedValue { s in
            guard !s.closed else { return true }
            s.onClose.append(cleanup)
            return false
        }
        if now { cleanup() }
    }

    /// The connection is gone (or the broker ended the subscription): unsubscribes, drops what is pending.
    func close() {
        let cleanups: [@Sendable () -> Void] = state.withLockedValue { s in
            guard !s.closed else { return [] }
            s.closed = true
            s.pending.removeAll()
            defer { s.onClose = [] }
            return s.onClose
        }
        for c in cleanups { c() }
    }
}
