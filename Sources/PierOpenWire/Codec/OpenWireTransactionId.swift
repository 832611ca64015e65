/// `TransactionId`: a local (JMS session) transaction, or an XA one. XA is decoded so the broker can
/// refuse it with a proper ExceptionResponse instead of failing the whole connection on a type byte.
public enum OpenWireTransactionId: Sendable, Hashable {
    /// `LocalTransactionId` (111): a counter within the connection that began it.
    case local(value: Int64, connectionId: OpenWireConnectionId?)
    /// `XATransactionId` (112): the XA Xid.
    case xa(formatId: Int32, globalTransactionId: [UInt8]?, branchQualifier: [UInt8]?)

    public var isXA: Bool {
        if case .xa = self { return true }
        return false
    }
}

extension OpenWireTransactionId: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool {
        type == OpenWireTypeID.localTransactionId.rawValue || type == OpenWireTypeID.xaTransactionId.rawValue
    }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        if type == OpenWireTypeID.localTransactionId.rawValue {
            let value = try r.int64("LocalTransactionId.value")
            let connectionId = try r.cached(OpenWireConnectionId.self, "LocalTransactionId.connectionId")
            self = .local(value: value, connectionId: connectionId)
        } else {
            let formatId = try r.int32("XATransactionId.formatId")
            let global = try r.bytes("XATransactionId.globalTransactionId")
            let branch = try r.bytes("XATransactionId.branchQualifier")
            self = .xa(formatId: formatId, globalTransactionId: global, branchQualifier: branch)
        }
    }

    var typeID: OpenWireTypeID {
        switch self {
        case .local: return .localTransactionId
        case .xa: return .xaTransactionId
        }
    }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        switch self {
        case .local(let value, let connectionId):
            w.int64(value)
            try w.cached(connectionId, "LocalTransactionId.connectionId")
        case .xa(let formatId, let global, let branch):
            w.int32(formatId)
            try w.bytes(global, "XATransactionId.globalTransactionId")
            try w.bytes(branch, "XATransactionId.branchQualifier")
        }
    }

    var asDataStructure: OpenWireDataStructure { .transactionId(self) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .transactionId(let id) = dataStructure else { return nil }
        self = id
    }
}
