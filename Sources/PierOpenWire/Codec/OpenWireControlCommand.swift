/// `ControlCommand` (14): a free-form text command (ActiveMQ uses it for `shutdown` over some
/// transports). Decoded so it does not break a connection; Pier ignores it.
public struct OpenWireControlCommand: Sendable, Hashable {
    public var commandId: Int32
    public var responseRequired: Bool
    public var command: String?

    public init(commandId: Int32 = 0, responseRequired: Bool = false, command: String? = nil) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.command = command
    }
}

extension OpenWireControlCommand: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.controlCommand.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("ControlCommand.commandId")
        responseRequired = try r.bool("ControlCommand.responseRequired")
        command = try r.string("ControlCommand.command")
    }

    var typeID: OpenWireTypeID { .controlCommand }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.string(command, "ControlCommand.command")
    }

    var asDataStructure: OpenWireDataStructure { .command(.controlCommand(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.controlCommand(let command)) = dataStructure else { return nil }
        self = command
    }
}
