/// Bounds on what one frame may hold, so a peer cannot make the broker buffer without end.
///
/// Defaults follow ActiveMQ's STOMP transport (1,000 headers, 10 KiB per header line) but cap a frame at
/// 10 MiB rather than ActiveMQ's 100 MiB: the broker holds a frame in memory until it is decoded, and the
/// devices Pier serves send kilobytes.
public struct STOMPDecoderLimits: Sendable, Hashable {
    /// Whole frame, command line through the NUL octet.
    public var maxFrameSize: Int
    /// Header lines per frame.
    public var maxHeaders: Int
    /// One header line in bytes, EOL excluded, before unescaping.
    public var maxHeaderLineLength: Int
    /// Body bytes, whether delimited by `content-length` or by the NUL.
    public var maxBodySize: Int

    public init(maxFrameSize: Int = 10 * 1024 * 1024, maxHeaders: Int = 1000,
                maxHeaderLineLength: Int = 10 * 1024, maxBodySize: Int = 10 * 1024 * 1024) {
        precondition(maxFrameSize > 0 && maxHeaders >= 0 && maxHeaderLineLength > 0 && maxBodySize >= 0)
        self.maxFrameSize = maxFrameSize
        self.maxHeaders = maxHeaders
        self.maxHeaderLineLength = maxHeaderLineLength
        self.maxBodySize = maxBodySize
    }
}
