extension PierConfig {
    /// The `$SYS/broker/...` statistics topics.
    public struct Sys: Codable, Equatable, Sendable {
        /// Seconds between publications; 0 disables `$SYS` entirely.
        public var interval: Int

        public init(interval: Int = 10) {
            self.interval = interval
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case interval
        }

        public init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            self.init(interval: try map.integer(.interval, default: 10, min: 0, max: 86_400))
        }
    }
}
