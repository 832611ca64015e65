/// `ActiveMQDestination`: a queue (100), topic (101), temporary queue (102) or temporary topic (103),
/// named by its physical name (`orders`, `ID:host-1234-1:1:1` for a temporary one). The name may carry
/// `?options` and, for a composite destination, several names separated by commas; both are the
/// adapter's business, the wire only has the string.
public struct OpenWireDestination: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: UInt8, Sendable, Hashable, CaseIterable {
        case queue = 100
        case topic = 101
        case tempQueue = 102
        case tempTopic = 103

        /// The prefix ActiveMQ prints and parses (`queue://orders`).
        public var scheme: String {
            switch self {
            case .queue: return "queue"
            case .topic: return "topic"
            case .tempQueue: return "temp-queue"
            case .tempTopic: return "temp-topic"
            }
        }

        public var isTopic: Bool { self == .topic || self == .tempTopic }
        public var isTemporary: Bool { self == .tempQueue || self == .tempTopic }
    }

    public var kind: Kind
    public var physicalName: String?

    public init(_ kind: Kind, _ physicalName: String?) {
        self.kind = kind
        self.physicalName = physicalName
    }

    public static func queue(_ name: String) -> Self { Self(.queue, name) }
    public static func topic(_ name: String) -> Self { Self(.topic, name) }

    public var description: String { "\(kind.scheme)://\(physicalName ?? "")" }
}

extension OpenWireDestination: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { Kind(rawValue: type) != nil }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        // `accepts` let only the four kinds through.
        kind = Kind(rawValue: type) ?? .queue
        physicalName = try r.string("ActiveMQDestination.physicalName")
    }

    var typeID: OpenWireTypeID { OpenWireTypeID(rawValue: kind.rawValue) }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        try w.string(physicalName, "ActiveMQDestination.physicalName")
    }

    var asDataStructure: OpenWireDataStructure { .destination(self) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .destination(let destination) = dataStructure else { return nil }
        self = destination
    }
}
