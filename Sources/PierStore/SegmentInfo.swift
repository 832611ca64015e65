/// A summary of one segment, for listing and retention.
public struct SegmentInfo: Sendable, Equatable {
    public var fileName: String
    public var baseOffset: UInt64
    /// One past the last committed record.
    public var nextOffset: UInt64
    public var sizeBytes: Int64
    public var batches: Int
    public var records: Int
    public var firstTimestamp: Int64?
    public var lastTimestamp: Int64?
}
