/// `SessionInfo` (4): a client opening a JMS session.
public struct OpenWireSessionInfo: Sendable, Hashable {
    public var commandId: Int32
    public var responseRequired: Bool
    public var sessionId: OpenWireSessionId?

    public init(commandId: Int32 = 0, responseRequired: Bool = false, sessionId: OpenWireSessionId? = nil) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.sessionId = sessionId
    }
}

extension OpenWireSessionInfo: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.sessionInfo.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("SessionInfo.commandId")
        responseRequired = try r.bool("SessionInfo.responseRequired")
        sessionId = try r.cached(OpenWireSessionId.self, "SessionInfo.sessionId")
    }

    var typeID: OpenWireTypeID { .sessionInfo }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.cached(sessionId, "SessionInfo.sessionId")
    }

    var asDataStructure: OpenWireDataStructure { .command(.sessionInfo(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.sessionInfo(let info)) = dataStructure else { return nil }
        self = info
    }
}
