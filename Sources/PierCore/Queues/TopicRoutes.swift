import PierSelector

/// Topic publishes that also feed queues: durable subscriptions and live temporary topics.
struct TopicRoutes: Sendable {
    struct Durable: Sendable {
        var subscription: DurableSubscription
        var selector: MessageSelector?
    }

    var durable: [String: Durable] = [:]
    var temporaryTopics: [String: ObjectIdentifier] = [:]
}
