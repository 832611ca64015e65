/// Retained messages by topic. Not thread-safe by itself: the broker guards it.
struct RetainedStore {
    private(set) var messages: [String: Message] = [:]

    var count: Int { messages.count }

    /// An empty payload clears the topic, as MQTT defines.
    mutating func apply(_ message: Message) {
        if message.payload.readableBytes == 0 {
            messages[message.topic] = nil
        } else {
            messages[message.topic] = message
        }
    }

    /// True when there was a message to remove.
    mutating func remove(topic: String) -> Bool {
        messages.removeValue(forKey: topic) != nil
    }

    func matching(filter: String, now: Int64) -> [Message] {
        messages.values.filter { Topic.matches(filter: filter, topic: $0.topic) && !$0.isExpired(now: now) }
            .sorted { $0.topic < $1.topic }
    }

    mutating func removeExpired(now: Int64) {
        messages = messages.filter { !$0.value.isExpired(now: now) }
    }
}
