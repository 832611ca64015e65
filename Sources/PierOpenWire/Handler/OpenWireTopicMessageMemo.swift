import NIOPosix
import PierCore

/// The last topic message converted to JMS form on this thread (an event loop). The broker hands one
/// published message to every subscribed connection of a loop in turn, and converting it (parsing its
/// JMS message id, re-encoding its properties) was most of the per-subscriber cost of a fan-out. The
/// conversion depends only on the message and the listener's temporary-destination names, so a
/// subscriber on another connection of the same loop reuses it when the message is equal.
/// Only ever touched by the thread that owns it.
final class OpenWireTopicMessageMemo: @unchecked Sendable {
    private var message: Message?
    private var converted: OpenWireMessage?
    private var listener: ObjectIdentifier?

    private static let perThread = ThreadSpecificVariable<OpenWireTopicMessageMemo>()

    static var current: OpenWireTopicMessageMemo {
        if let memo = perThread.currentValue { return memo }
        let memo = OpenWireTopicMessageMemo()
        perThread.currentValue = memo
        return memo
    }

    func converted(_ message: Message, listener: ObjectIdentifier) -> OpenWireMessage? {
        guard self.listener == listener, let converted, self.message == message else { return nil }
        return converted
    }

    func remember(_ message: Message, as converted: OpenWireMessage, listener: ObjectIdentifier) {
        self.message = message
        self.converted = converted
        self.listener = listener
    }
}
