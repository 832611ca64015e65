/// A last-will message and how long to wait before publishing it after an abnormal disconnect.
public struct WillMessage: Sendable {
    public var message: Message
    public var delaySeconds: UInt32

    public init(message: Message, delaySeconds: UInt32 = 0) {
        self.message = message
        self.delaySeconds = delaySeconds
    }
}
