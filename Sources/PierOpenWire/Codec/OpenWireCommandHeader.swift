/// The fields every command starts with (`BaseCommand`): the sender's sequence number for the command,
/// and whether it wants a Response carrying that number as `correlationId`.
///
/// The commands that have nothing else (KeepAliveInfo, ShutdownInfo, FlushCommand) are just this.
public struct OpenWireCommandHeader: Sendable, Hashable {
    public var commandId: Int32
    public var responseRequired: Bool

    public init(commandId: Int32 = 0, responseRequired: Bool = false) {
        self.commandId = commandId
        self.responseRequired = responseRequired
    }

    init(reading r: inout OpenWireReader) throws(OpenWireDecodeError) {
        commandId = try r.int32("BaseCommand.commandId")
        responseRequired = try r.bool("BaseCommand.responseRequired")
    }

    func write(to w: inout OpenWireWriter) {
        w.int32(commandId)
        w.bool(responseRequired)
    }
}
