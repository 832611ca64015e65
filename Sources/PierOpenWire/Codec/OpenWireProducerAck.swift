/// `ProducerAck` (19): a broker granting a producer with a window (`ProducerInfo.windowSize`) room for
/// `size` more bytes.
public struct OpenWireProducerAck: Sendable, Hashable {
    public var commandId: Int32
    public var responseRequired: Bool
    public var producerId: OpenWireProducerId?
    public var size: Int32

    public init(commandId: Int32 = 0, responseRequired: Bool = false, producerId: OpenWireProducerId? = nil,
                size: Int32 = 0) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.producerId = producerId
        self.size = size
    }
}

extension OpenWireProducerAck: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.producerAck.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("ProducerAck.commandId")
        responseRequired = try r.bool("ProducerAck.responseRequired")
        producerId = try r.nested(OpenWireProducerId.self, "ProducerAck.producerId")
        size = try r.int32("ProducerAck.size")
    }

    var typeID: OpenWireTypeID { .producerAck }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.nested(producerId, "ProducerAck.producerId")
        w.int32(size)
    }

    var asDataStructure: OpenWireDataStructure { .command(.producerAck(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.producerAck(let ack)) = dataStructure else { return nil }
        self = ack
    }
}
