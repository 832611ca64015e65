import PierCore

/// One filter of a SUBSCRIBE with its verdict; only entries with a success code reach the broker.
public struct MQTTSubscribeRequest: Sendable {
    public var filter: String
    public var options: SubscriptionOptions
    public var reasonCode: MQTTReasonCode

    public init(filter: String, options: SubscriptionOptions, reasonCode: MQTTReasonCode) {
        self.filter = filter
        self.options = options
        self.reasonCode = reasonCode
    }
}
