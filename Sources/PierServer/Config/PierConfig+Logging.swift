import Logging

extension PierConfig {
    public struct Logging: Codable, Equatable, Sendable {
        /// swift-log's levels, spelled as in swift-log (`trace` … `critical`).
        public var level: Logger.Level

        public init(level: Logger.Level = .info) {
            self.level = level
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case level
        }

        public init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            self.init(level: try map.choice(.level, default: Logger.Level.info))
        }
    }
}
