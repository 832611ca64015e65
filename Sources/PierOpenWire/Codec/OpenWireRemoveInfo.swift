/// `RemoveInfo` (12): a client closing a connection, session, consumer or producer, named by its id.
public struct OpenWireRemoveInfo: Sendable, Hashable {
    public static let lastDeliveredUnset: Int64 = -1
    public static let lastDeliveredUnknown: Int64 = -2

    public var commandId: Int32
    public var responseRequired: Bool
    /// A connection, session, consumer or producer id; any data structure on the wire.
    public var objectId: OpenWireDataStructure?
    /// For a consumer: the broker sequence id of the last message it delivered to the application, so
    /// the broker knows which prefetched ones to redeliver without counting them as redelivered.
    public var lastDeliveredSequenceId: Int64

    public init(commandId: Int32 = 0, responseRequired: Bool = false, objectId: OpenWireDataStructure? = nil,
                lastDeliveredSequenceId: Int64 = 0) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.objectId = objectId
        self.lastDeliveredSequenceId = lastDeliveredSequenceId
    }
}

extension OpenWireRemoveInfo: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.removeInfo.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("RemoveInfo.commandId")
        responseRequired = try r.bool("RemoveInfo.responseRequired")
        objectId = try r.cached(OpenWireDataStructure.self, "RemoveInfo.objectId")
        lastDeliveredSequenceId = try r.int64("RemoveInfo.lastDeliveredSequenceId")
    }

    var typeID: OpenWireTypeID { .removeInfo }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.cached(objectId, "RemoveInfo.objectId")
        w.int64(lastDeliveredSequenceId)
    }

    var asDataStructure: OpenWireDataStructure { .command(.removeInfo(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.removeInfo(let info)) = dataStructure else { return nil }
        self = info
    }
}
