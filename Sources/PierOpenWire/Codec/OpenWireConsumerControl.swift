/// `ConsumerControl` (17): a broker changing a consumer's prefetch, or starting, stopping or closing
/// it; a client uses it to ask for a flush.
public struct OpenWireConsumerControl: Sendable, Hashable {
    public var commandId: Int32
    public var responseRequired: Bool
    public var destination: OpenWireDestination?
    public var close: Bool
    public var consumerId: OpenWireConsumerId?
    public var prefetch: Int32
    public var flush: Bool
    public var start: Bool
    public var stop: Bool

    public init(commandId: Int32 = 0, responseRequired: Bool = false, destination: OpenWireDestination? = nil,
                close: Bool = false, consumerId: OpenWireConsumerId? = nil, prefetch: Int32 = 0,
                flush: Bool = false, start: Bool = false, stop: Bool = false) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.destination = destination
        self.close = close
        self.consumerId = consumerId
        self.prefetch = prefetch
        self.flush = flush
        self.start = start
        self.stop = stop
    }
}

extension OpenWireConsumerControl: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.consumerControl.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("ConsumerControl.commandId")
        responseRequired = try r.bool("ConsumerControl.responseRequired")
        destination = try r.nested(OpenWireDestination.self, "ConsumerControl.destination")
        close = try r.bool("ConsumerControl.close")
        consumerId = try r.nested(OpenWireConsumerId.self, "ConsumerControl.consumerId")
        prefetch = try r.int32("ConsumerControl.prefetch")
        flush = try r.bool("ConsumerControl.flush")
        start = try r.bool("ConsumerControl.start")
        stop = try r.bool("ConsumerControl.stop")
    }

    var typeID: OpenWireTypeID { .consumerControl }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.nested(destination, "ConsumerControl.destination")
        w.bool(close)
        try w.nested(consumerId, "ConsumerControl.consumerId")
        w.int32(prefetch)
        w.bool(flush)
        w.bool(start)
        w.bool(stop)
    }

    var asDataStructure: OpenWireDataStructure { .command(.consumerControl(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.consumerControl(let control)) = dataStructure else { return nil }
        self = control
    }
}
