import NIOCore

/// One record read back from the log.
public struct LogRecord: Sendable {
    public var offset: UInt64
    /// The last timestamp of the batch the record was committed in (records carry no timestamp
    /// of their own; a batch spans one group commit, usually well under a millisecond).
    public var batchTimestamp: Int64
    public var payload: ByteBuffer

    public init(offset: UInt64, batchTimestamp: Int64, payload: ByteBuffer) {
        self.offset = offset
        self.batchTimestamp = batchTimestamp
        self.payload = payload
    }

    public var bytes: [UInt8] { payload.getBytes(at: payload.readerIndex, length: payload.readableBytes) ?? [] }
}
