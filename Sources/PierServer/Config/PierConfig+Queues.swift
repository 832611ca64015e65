import PierCore

extension PierConfig {
    /// Queue behaviour: `defaults` for every queue, and `policies` matched by name pattern in order
    /// (ActiveMQ's dotted wildcards: `orders.>`, `*.jobs`). A policy's unset keys take the defaults.
    public struct Queues: Codable, Equatable, Sendable {
        public var defaults: Policy
        public var policies: [Policy]

        public init(defaults: Policy = Policy(), policies: [Policy] = []) {
            self.defaults = defaults
            self.policies = policies
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case defaults
            case policies
        }

        public init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            self.init(defaults: try map.section(.defaults, default: Policy()), policies: try map.list(.policies, default: [Policy]()))
        }

        /// The core's view: every rule resolved against the defaults.
        public var resolved: QueuePolicies {
            let base = defaults.applied(to: QueuePolicy())
            return QueuePolicies(rules: policies.map { ($0.pattern ?? ">", $0.applied(to: base)) }, fallback: base)
        }

        public struct Policy: Codable, Equatable, Sendable {
            public var pattern: String?
            public var maxMessages: Int?
            public var maxBytes: Int?
            public var overflow: QueuePolicy.Overflow?
            public var maxRedeliveries: Int?
            public var deadLetterQueue: String?
            public var expired: QueuePolicy.ExpiryAction?

            public init(pattern: String? = nil, maxMessages: Int? = nil, maxBytes: Int? = nil, overflow: QueuePolicy.Overflow? = nil,
                        maxRedeliveries: Int? = nil, deadLetterQueue: String? = nil, expired: QueuePolicy.ExpiryAction? = nil) {
                self.pattern = pattern
                self.maxMessages = maxMessages
                self.maxBytes = maxBytes
                self.overflow = overflow
                self.maxRedeliveries = maxRedeliveries
                self.deadLetterQueue = deadLetterQueue
                self.expired = expired
            }

            enum CodingKeys: String, CodingKey, CaseIterable {
                case pattern
                case maxMessages = "max_messages"
                case maxBytes = "max_bytes"
                case overflow
                case maxRedeliveries = "max_redeliveries"
                case deadLetterQueue = "dead_letter_queue"
                case expired
            }

            public init(from decoder: any Decoder) throws {
                let map = try ConfigMapping<CodingKeys>(decoder)
                let has = { (k: CodingKeys) in map.field(k) != nil }
                self.init(
                    pattern: try map.string(.pattern),
                    maxMessages: has(.maxMessages) ? try map.integer(.maxMessages, default: 0, min: 1) : nil,
                    maxBytes: has(.maxBytes) ? try map.integer(.maxBytes, default: 0, min: 1024) : nil,
                    overflow: has(.overflow) ? try map.choice(.overflow, default: QueuePolicy.Overflow.block) : nil,
                    maxRedeliveries: has(.maxRedeliveries) ? try map.integer(.maxRedeliveries, default: 0, min: 0, max: 1_000_000) : nil,
                    deadLetterQueue: try map.string(.deadLetterQueue),
                    expired: has(.expired) ? try map.choice(.expired, default: QueuePolicy.ExpiryAction.deadLetter) : nil)
            }

            func applied(to base: QueuePolicy) -> QueuePolicy {
                var p = base
                if let v = maxMessages { p.maxMessages = v }
                if let v = maxBytes { p.maxBytes = v }
                if let v = overflow { p.overflow = v }
                if let v = maxRedeliveries { p.maxRedeliveries = UInt32(v) }
                if let v = deadLetterQueue { p.deadLetterQueue = v }
                if let v = expired { p.expiry = v }
                return p
            }
        }
    }
}

