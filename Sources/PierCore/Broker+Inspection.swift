/// Read-mostly views of broker state for the admin API, and its one retained-message verb. None of
/// this runs per message.
extension Broker {
    public func sessionSummaries() -> [SessionSummary] {
        sessions.withLockedValue { Array($0.values) }.map { s in
            s.lock.withLock {
                SessionSummary(clientID: s.clientID, username: s.identity.username, connected: s.connection != nil,
                               persistent: s.expiryInterval > 0 && !s.ended, subscriptions: s.subscriptions.count,
                               queued: s.offlineQueue.count)
            }
        }.sorted { $0.clientID < $1.clientID }
    }

    /// Every subscribed topic filter with how many sessions hold it, by filter.
    public func subscriptionFilterCounts() -> [(filter: String, sessions: Int)] {
        var counts: [String: Int] = [:]
        for s in sessions.withLockedValue({ Array($0.values) }) {
            for filter in s.lock.withLock({ s.subscriptions.keys }) { counts[filter, default: 0] += 1 }
        }
        return counts.sorted { $0.key < $1.key }.map { (filter: $0.key, sessions: $0.value) }
    }

    /// Every retained message that has not expired, `$SYS` ones included, by topic.
    public func allRetainedMessages() -> [Message] {
        let now = BrokerClock.nowMillis()
        return routing.withLockedValue { Array($0.retained.messages.values) }
            .filter { !$0.isExpired(now: now) }
            .sorted { $0.topic < $1.topic }
    }

    /// Removes the retained message of `topic` and logs its removal, without publishing anything to
    /// subscribers (an MQTT client clearing it would send them an empty message). False when there was none.
    @discardableResult
    public func clearRetained(topic: String) -> Bool {
        guard routing.withLockedValue({ $0.retained.remove(topic: topic) }) else { return false }
        if !Topic.isSystem(topic) {
            storage.append([.retainedCleared(topic: topic)], onCommit: nil)
        }
        return true
    }
}
