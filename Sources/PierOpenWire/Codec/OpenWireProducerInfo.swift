/// `ProducerInfo` (6): a client creating a producer, bound to a destination or anonymous (null).
public struct OpenWireProducerInfo: Sendable, Hashable {
    public var commandId: Int32
    public var responseRequired: Bool
    public var producerId: OpenWireProducerId?
    public var destination: OpenWireDestination?
    public var brokerPath: [OpenWireBrokerId?]?
    public var dispatchAsync: Bool
    /// Bytes the producer may have in flight before waiting for ProducerAcks; 0 for none.
    public var windowSize: Int32

    public init(commandId: Int32 = 0, responseRequired: Bool = false, producerId: OpenWireProducerId? = nil,
                destination: OpenWireDestination? = nil, brokerPath: [OpenWireBrokerId?]? = nil,
                dispatchAsync: Bool = false, windowSize: Int32 = 0) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.producerId = producerId
        self.destination = destination
        self.brokerPath = brokerPath
        self.dispatchAsync = dispatchAsync
        self.windowSize = windowSize
    }
}

extension OpenWireProducerInfo: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.producerInfo.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("ProducerInfo.commandId")
        responseRequired = try r.bool("ProducerInfo.responseRequired")
        producerId = try r.cached(OpenWireProducerId.self, "ProducerInfo.producerId")
        destination = try r.cached(OpenWireDestination.self, "ProducerInfo.destination")
        brokerPath = try r.array(OpenWireBrokerId.self, "ProducerInfo.brokerPath")
        dispatchAsync = try r.bool("ProducerInfo.dispatchAsync")
        windowSize = try r.int32("ProducerInfo.windowSize")
    }

    var typeID: OpenWireTypeID { .producerInfo }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.cached(producerId, "ProducerInfo.producerId")
        try w.cached(destination, "ProducerInfo.destination")
        try w.array(brokerPath, "ProducerInfo.brokerPath")
        w.bool(dispatchAsync)
        w.int32(windowSize)
    }

    var asDataStructure: OpenWireDataStructure { .command(.producerInfo(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.producerInfo(let info)) = dataStructure else { return nil }
        self = info
    }
}
