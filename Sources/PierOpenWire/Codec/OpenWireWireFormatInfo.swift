import NIOCore

/// `WireFormatInfo` (1): the first frame each side sends, always loose and uncached whatever the peer
/// will use afterwards. Unlike every other command it has no commandId or responseRequired: its
/// marshaller derives from the plain data-structure one.
///
/// The wire has the magic "ActiveMQ" (checked on decode, not stored), the protocol version, and the
/// wire-format settings as a marshalled primitive map (`OpenWirePrimitiveMap`), kept here as bytes
/// like a message's properties; `properties()` decodes them.
public struct OpenWireWireFormatInfo: Sendable, Hashable {
    public static let magic: [UInt8] = Array("ActiveMQ".utf8)

    /// The property names ActiveMQ 5.17 sends and reads.
    public enum Key {
        public static let stackTraceEnabled = "StackTraceEnabled"
        public static let tcpNoDelayEnabled = "TcpNoDelayEnabled"
        public static let cacheEnabled = "CacheEnabled"
        public static let cacheSize = "CacheSize"
        public static let tightEncodingEnabled = "TightEncodingEnabled"
        public static let sizePrefixDisabled = "SizePrefixDisabled"
        public static let maxInactivityDuration = "MaxInactivityDuration"
        /// Misspelt in ActiveMQ itself; this is the spelling on the wire.
        public static let maxInactivityDurationInitialDelay = "MaxInactivityDurationInitalDelay"
        public static let maxFrameSize = "MaxFrameSize"
        /// Sent since 5.16 but not negotiated: each side decides alone whether it checks frame sizes.
        public static let maxFrameSizeEnabled = "MaxFrameSizeEnabled"
        public static let providerName = "ProviderName"
        public static let providerVersion = "ProviderVersion"
        public static let platformDetails = "PlatformDetails"
        public static let host = "Host"
    }

    /// 12 for ActiveMQ 5.12 and later; the two sides use the lower of their versions.
    public var version: Int32
    public var marshalledProperties: ByteBuffer?

    public init(version: Int32, marshalledProperties: ByteBuffer?) {
        self.version = version
        self.marshalledProperties = marshalledProperties
    }

    /// A WireFormatInfo carrying `properties`, marshalled.
    public init(version: Int32 = 12, properties: OpenWirePrimitiveMap) throws(OpenWireEncodeError) {
        var bytes = ByteBuffer()
        try properties.encode(into: &bytes)
        self.init(version: version, marshalledProperties: bytes)
    }

    /// The settings map; nil when absent (or marshalled as a null map).
    public func properties(maxNestingDepth: Int = 32) throws(OpenWireDecodeError) -> OpenWirePrimitiveMap? {
        guard let marshalledProperties else { return nil }
        return try OpenWirePrimitiveMap.decode(marshalledProperties, maxNestingDepth: maxNestingDepth,
                                               field: "WireFormatInfo.marshalledProperties")
    }
}

extension OpenWireWireFormatInfo {
    init(reading r: inout OpenWireReader) throws(OpenWireDecodeError) {
        let at = r.offset
        let magic = try r.constBytes(8, "WireFormatInfo.magic")
        guard magic == Self.magic else { throw r.error(.badMagic(magic), "WireFormatInfo.magic", at: at) }
        version = try r.int32("WireFormatInfo.version")
        marshalledProperties = try r.byteSequence("WireFormatInfo.marshalledProperties")
    }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.constBytes(Self.magic)
        w.int32(version)
        try w.byteSequence(marshalledProperties, "WireFormatInfo.marshalledProperties")
    }
}
