/// `TransactionInfo` (7): begin, commit, roll back (and the XA verbs) of a transaction.
public struct OpenWireTransactionInfo: Sendable, Hashable {
    /// The verb, as a raw byte so an unknown one survives decoding and the state machine can refuse it.
    public struct Operation: RawRepresentable, Sendable, Hashable {
        public var rawValue: Int8
        public init(rawValue: Int8) { self.rawValue = rawValue }

        public static let begin = Self(rawValue: 0)
        public static let prepare = Self(rawValue: 1)
        public static let commitOnePhase = Self(rawValue: 2)
        public static let commitTwoPhase = Self(rawValue: 3)
        public static let rollback = Self(rawValue: 4)
        public static let recover = Self(rawValue: 5)
        public static let forget = Self(rawValue: 6)
        public static let end = Self(rawValue: 7)
    }

    public var commandId: Int32
    public var responseRequired: Bool
    public var connectionId: OpenWireConnectionId?
    public var transactionId: OpenWireTransactionId?
    public var type: Operation

    public init(commandId: Int32 = 0, responseRequired: Bool = false, connectionId: OpenWireConnectionId? = nil,
                transactionId: OpenWireTransactionId? = nil, type: Operation = .begin) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.connectionId = connectionId
        self.transactionId = transactionId
        self.type = type
    }
}

extension OpenWireTransactionInfo: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.transactionInfo.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("TransactionInfo.commandId")
        responseRequired = try r.bool("TransactionInfo.responseRequired")
        connectionId = try r.cached(OpenWireConnectionId.self, "TransactionInfo.connectionId")
        transactionId = try r.cached(OpenWireTransactionId.self, "TransactionInfo.transactionId")
        self.type = Operation(rawValue: try r.int8("TransactionInfo.type"))
    }

    var typeID: OpenWireTypeID { .transactionInfo }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.cached(connectionId, "TransactionInfo.connectionId")
        try w.cached(transactionId, "TransactionInfo.transactionId")
        w.int8(type.rawValue)
    }

    var asDataStructure: OpenWireDataStructure { .command(.transactionInfo(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.transactionInfo(let info)) = dataStructure else { return nil }
        self = info
    }
}
