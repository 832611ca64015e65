/// The settings one direction of a connection marshals with. Before the WireFormatInfo exchange both
/// sides use the defaults here (loose, no cache, no stack traces: ActiveMQ's initial `OpenWireFormat`);
/// afterwards the state machine sets what was negotiated (each flag is the AND of both sides' wishes,
/// the cache size the smaller one).
///
/// Tight encoding and a disabled size prefix are not supported: a broker that advertises
/// `TightEncodingEnabled=false` and `SizePrefixDisabled=false` never has to read them.
public struct OpenWireFormatOptions: Sendable, Hashable {
    /// Largest frame body accepted, in bytes (the size prefix excluded). ActiveMQ's broker default is
    /// 100 MiB; Pier's is 10 MiB like its STOMP limit, since a frame is held in memory until decoded.
    public var maxFrameSize: Int
    /// Whether throwables carry their stack trace and cause chain (`StackTraceEnabled`).
    public var stackTraceEnabled: Bool
    /// Whether ids and destinations go through the marshalling cache (`CacheEnabled`).
    public var cacheEnabled: Bool
    /// Slots in the marshalling cache (`CacheSize`); 0 means ActiveMQ's fallback of 16383.
    public var cacheSize: Int
    /// How deep objects, exception causes and primitive maps/lists may nest. ActiveMQ has no limit and
    /// recurses on the Java stack; real traffic stays under 6 (a dispatch of an advisory message whose
    /// data structure is a ConsumerInfo with ids inside).
    public var maxNestingDepth: Int

    public static let defaultMaxFrameSize = 10 * 1024 * 1024
    /// `OpenWireFormat.MARSHAL_CACHE_SIZE`, used when the negotiated size is 0.
    public static let fallbackCacheSize = 16383

    public init(maxFrameSize: Int = defaultMaxFrameSize, stackTraceEnabled: Bool = false,
                cacheEnabled: Bool = false, cacheSize: Int = 1024, maxNestingDepth: Int = 32) {
        precondition(maxFrameSize > 0 && cacheSize >= 0 && maxNestingDepth > 0)
        self.maxFrameSize = maxFrameSize
        self.stackTraceEnabled = stackTraceEnabled
        self.cacheEnabled = cacheEnabled
        self.cacheSize = cacheSize
        self.maxNestingDepth = maxNestingDepth
    }

    /// Cache slots actually used: cache indexes are Java shorts, so at most 32767.
    var effectiveCacheSize: Int {
        min(cacheSize == 0 ? Self.fallbackCacheSize : cacheSize, Int(Int16.max))
    }
}
