/// `ConnectionError` (16): a broker telling a client its connection failed, and why, before it closes.
public struct OpenWireConnectionError: Sendable, Hashable {
    public var commandId: Int32
    public var responseRequired: Bool
    public var exception: OpenWireThrowable?
    public var connectionId: OpenWireConnectionId?

    public init(commandId: Int32 = 0, responseRequired: Bool = false, exception: OpenWireThrowable? = nil,
                connectionId: OpenWireConnectionId? = nil) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.exception = exception
        self.connectionId = connectionId
    }
}

extension OpenWireConnectionError: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.connectionError.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("ConnectionError.commandId")
        responseRequired = try r.bool("ConnectionError.responseRequired")
        exception = try r.throwable("ConnectionError.exception")
        connectionId = try r.nested(OpenWireConnectionId.self, "ConnectionError.connectionId")
    }

    var typeID: OpenWireTypeID { .connectionError }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.throwable(exception, "ConnectionError.exception")
        try w.nested(connectionId, "ConnectionError.connectionId")
    }

    var asDataStructure: OpenWireDataStructure { .command(.connectionError(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.connectionError(let error)) = dataStructure else { return nil }
        self = error
    }
}
