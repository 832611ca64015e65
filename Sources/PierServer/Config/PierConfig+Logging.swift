import Logging

extension PierConfig {
    public struct Logging: Codable, Equatable, Sendable {
        public enum Format: String, Codable, CaseIterable, Sendable {
            /// swift-log's stream format: one human-readable line per event.
            case text
            /// One JSON object per line (`JSONLogHandler`), for log shippers.
            case json
        }

        /// swift-log's levels, spelled as in swift-log (`trace` … `critical`).
        public var level: Logger.Level
        public var format: Format

        public init(level: Logger.Level = .info, format: Format = .text) {
            self.level = level
            self.format = format
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case level
            case format
        }

        public init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            self.init(level: try map.choice(.level, default: Logger.Level.info),
                      format: try map.choice(.format, default: Format.text))
        }
    }
}
