extension PierConfig {
    /// The durable store under `data_dir`.
    public struct Storage: Codable, Equatable, Sendable {
        public enum Engine: String, CaseIterable, Codable, Sendable {
            /// The LZ4 segment log in `data_dir/log`: state survives restarts and `kill -9`.
            case log
            /// Nothing reaches the disk; for tests and throwaway brokers.
            case memory
        }

        public enum Fsync: String, CaseIterable, Codable, Sendable {
            /// One fsync per group-commit batch, before any acknowledgement.
            case always
            /// Acknowledge after the write; fsync every `fsync_interval` milliseconds.
            case interval
            /// Leave syncing to the kernel.
            case never
        }

        public var engine: Engine
        public var fsync: Fsync
        /// Milliseconds between fsyncs when `fsync` is `interval`.
        public var fsyncInterval: Int
        /// Bytes after which a segment file is closed and a new one started.
        public var segmentMaxBytes: Int
        /// Records between checkpoints of broker state; recovery replays at most about this many.
        public var checkpointRecords: Int

        public init(engine: Engine = .log, fsync: Fsync = .always, fsyncInterval: Int = 10, segmentMaxBytes: Int = 16 << 20,
                    checkpointRecords: Int = 100_000) {
            self.engine = engine
            self.fsync = fsync
            self.fsyncInterval = fsyncInterval
            self.segmentMaxBytes = segmentMaxBytes
            self.checkpointRecords = checkpointRecords
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case engine
            case fsync
            case fsyncInterval = "fsync_interval"
            case segmentMaxBytes = "segment_max_bytes"
            case checkpointRecords = "checkpoint_records"
        }

        public init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            self.init(
                engine: try map.choice(.engine, default: Engine.log),
                fsync: try map.choice(.fsync, default: Fsync.always),
                fsyncInterval: try map.integer(.fsyncInterval, default: 10, min: 1, max: 60_000),
                segmentMaxBytes: try map.integer(.segmentMaxBytes, default: 16 << 20, min: 4096, max: 1 << 30),
                checkpointRecords: try map.integer(.checkpointRecords, default: 100_000, min: 100, max: 100_000_000))
        }
    }
}
