import PierHA

extension PierConfig {
    /// The `ha:` section: how two processes on one data directory form an active/standby pair.
    public struct HA: Codable, Equatable, Sendable {
        public var mode: HAOptions.Mode
        public var pollMs: Int
        public var leaseMs: Int
        public var leaseTimeoutMs: Int

        public init(mode: HAOptions.Mode = .exclusive, pollMs: Int = 100, leaseMs: Int = 100, leaseTimeoutMs: Int = 5000) {
            self.mode = mode
            self.pollMs = pollMs
            self.leaseMs = leaseMs
            self.leaseTimeoutMs = leaseTimeoutMs
        }

        public var options: HAOptions {
            HAOptions(mode: mode, pollMillis: pollMs, leaseMillis: leaseMs, leaseTimeoutMillis: leaseTimeoutMs)
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case mode
            case pollMs = "poll_ms"
            case leaseMs = "lease_ms"
            case leaseTimeoutMs = "lease_timeout_ms"
        }

        public init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            self.init(
                mode: try map.choice(.mode, default: HAOptions.Mode.exclusive),
                pollMs: try map.integer(.pollMs, default: 100, min: 10, max: 60_000),
                leaseMs: try map.integer(.leaseMs, default: 100, min: 10, max: 60_000),
                leaseTimeoutMs: try map.integer(.leaseTimeoutMs, default: 5000, min: 40, max: 600_000))
            // The active may write for 3/4 of the timeout after a renewal; at least three renewals must fit.
            guard leaseTimeoutMs >= 4 * leaseMs else {
                throw map.fail(.leaseTimeoutMs, "must be at least 4 × lease_ms (\(4 * leaseMs))")
            }
        }
    }
}
