/// What opening a log found and changed.
public struct RecoveryReport: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// A partial batch at the end of the last segment, from a write cut short by a crash.
        case truncatedTornTail
        /// Mid-log damage cut away because the log was opened with `repair`.
        case truncatedCorruption
        /// A whole segment after repaired damage, dropped because its offsets no longer follow on.
        case droppedSegment
    }

    public struct Truncation: Sendable, Equatable {
        public var segment: String
        public var position: Int64
        public var bytesDropped: Int64
        public var reason: String
        public var action: Action
    }

    public var truncations: [Truncation] = []
    /// Index files that were missing or disagreed with the log and were rewritten.
    public var rebuiltIndexes: [String] = []
    public var segments = 0
    public var batches = 0
    public var records = 0
    public var bytes: Int64 = 0
    public var durationNanoseconds: UInt64 = 0

    public var isClean: Bool { truncations.isEmpty && rebuiltIndexes.isEmpty }
}
