import NIOCore

/// The streamed routes: what `AdminHTTPHandler` subscribes a stream to once it has sent the headers.
extension AdminAPI {
    /// `user` is the admin user who asked (nil for anonymous access). The subscription ends when `stream` closes.
    func subscribe(_ route: AdminRoute, user: String?, stream: AdminStream) {
        switch route {
        case .events:
            context.logs.add(stream)
            stream.offer(ServerSentEvent.opened)
        case .tail(let filter):
            AdminTail.start(broker: context.broker, filter: filter, user: user, stream: stream)
        default:
            stream.channel.close(promise: nil)
        }
    }
}
