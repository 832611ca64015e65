import PierAdminModel
import NIOCore
import PierCore
import Synchronization

/// The live message tail behind `/api/tail`: an in-process session of the broker core, subscribed at
/// QoS 0 to the requested filter like any client, whose deliveries become events on an `AdminStream`.
/// It holds no queue and no acknowledgement state; a slow reader loses events in the stream's bounded
/// buffer instead of slowing publishers. The session (client id `$admin/tail/N`, listener
/// `ClientIdentity.adminListener`) ends with the HTTP connection.
final class AdminTail: SessionConnection {
    private static let next = Atomic<UInt64>(0)

    let eventLoop: any EventLoop
    private let stream: AdminStream

    private init(stream: AdminStream) {
        self.stream = stream
        self.eventLoop = stream.channel.eventLoop
    }

    /// Attaches a session for `user`, subscribes it to `filter`, and ties its end to the stream's.
    static func start(broker: Broker, filter: String, user: String?, stream: AdminStream) {
        let tail = AdminTail(stream: stream)
        let n = next.add(1, ordering: .relaxed).newValue
        let identity = ClientIdentity(clientID: "$admin/tail/\(n)", username: user, listener: ClientIdentity.adminListener)
        broker.attach(identity: identity, cleanStart: true, expiryInterval: 0, will: nil, connection: tail).whenSuccess { result in
            // Retained messages are the past; the tail shows what is published from now on.
            _ = broker.subscribe(session: result.session, filter: filter, options: SubscriptionOptions(qos: .atMostOnce, retainHandling: .doNotSend))
            stream.onClose {
                broker.detach(session: result.session, connection: tail, deliveryState: .init(), publishWill: false, expiryInterval: 0)
            }
            stream.offer(ServerSentEvent.opened)
        }
    }

    func deliver(_ deliveries: [Delivery]) {
        let now = BrokerClock.wallMillis()
        for d in deliveries { stream.offer(ServerSentEvent.json(AdminDocument.TailMessage(d, time: now))) }
    }

    /// Only a client that chose the same `$admin/tail/N` id gets here; the stream ends either way.
    func sessionTakenOver() { stream.channel.close(promise: nil) }

    func serverShuttingDown() { stream.channel.close(promise: nil) }
}
