import NIOCore

/// A JMS message (`ActiveMQMessage` and its body kinds, types 23-29): every field of v12's
/// `MessageMarshaller`, in wire order, and the three a blob message adds after them.
///
/// The body (`content`) and the properties (`marshalledProperties`) stay as the bytes that came in, a
/// slice of the frame: a broker routes most messages without looking inside, and re-sends them as they
/// were. `OpenWireMessage+Body.swift` decodes and encodes them on demand.
public struct OpenWireMessage: Sendable, Hashable {
    /// Which JMS message class; it decides how `content` is laid out.
    public enum Kind: UInt8, Sendable, Hashable, CaseIterable {
        /// `ActiveMQMessage` (23): no body.
        case message = 23
        /// `ActiveMQBytesMessage` (24): raw bytes.
        case bytes = 24
        /// `ActiveMQMapMessage` (25): a primitive map.
        case map = 25
        /// `ActiveMQObjectMessage` (26): a Java-serialized object, opaque to Pier.
        case object = 26
        /// `ActiveMQStreamMessage` (27): a sequence of primitives.
        case stream = 27
        /// `ActiveMQTextMessage` (28): a string with a 4-byte length.
        case text = 28
        /// `ActiveMQBlobMessage` (29): no body; the payload sits at `remoteBlobUrl`. Deprecated in
        /// ActiveMQ, decoded so a client using it gets a proper refusal rather than a broken connection.
        case blob = 29
    }

    public var kind: Kind
    public var commandId: Int32
    public var responseRequired: Bool
    public var producerId: OpenWireProducerId?
    public var destination: OpenWireDestination?
    public var transactionId: OpenWireTransactionId?
    /// Where the message was first sent, when it moved (to a DLQ, across a virtual destination).
    public var originalDestination: OpenWireDestination?
    public var messageId: OpenWireMessageId?
    public var originalTransactionId: OpenWireTransactionId?
    public var groupId: String?
    public var groupSequence: Int32
    public var correlationId: String?
    public var persistent: Bool
    /// Absolute time in ms since 1970 after which the message expires; 0 for never.
    public var expiration: Int64
    public var priority: Int8
    public var replyTo: OpenWireDestination?
    public var timestamp: Int64
    /// `JMSType`.
    public var type: String?
    public var content: ByteBuffer?
    public var marshalledProperties: ByteBuffer?
    /// What an advisory message is about (a ConsumerInfo, a RemoveInfo...); null for application messages.
    public var dataStructure: OpenWireDataStructure?
    public var targetConsumerId: OpenWireConsumerId?
    /// `content` is zlib-deflated (a client with `useCompression`).
    public var compressed: Bool
    public var redeliveryCounter: Int32
    public var brokerPath: [OpenWireBrokerId?]?
    public var arrival: Int64
    /// The authenticated user, set by a broker with `populateJMSXUserID`.
    public var userId: String?
    /// Spelt `recievedByDFBridge` in ActiveMQ.
    public var receivedByDFBridge: Bool
    public var droppable: Bool
    public var cluster: [OpenWireBrokerId?]?
    public var brokerInTime: Int64
    public var brokerOutTime: Int64
    public var jmsxGroupFirstForConsumer: Bool
    /// Only on the wire for `.blob`: where the payload was uploaded, its MIME type, and whether the
    /// broker deleted it after delivery.
    public var remoteBlobUrl: String?
    public var mimeType: String?
    public var deletedByBroker: Bool

    public init(kind: Kind, commandId: Int32 = 0, responseRequired: Bool = false, producerId: OpenWireProducerId? = nil,
                destination: OpenWireDestination? = nil, transactionId: OpenWireTransactionId? = nil,
                originalDestination: OpenWireDestination? = nil, messageId: OpenWireMessageId? = nil,
                originalTransactionId: OpenWireTransactionId? = nil, groupId: String? = nil, groupSequence: Int32 = 0,
                correlationId: String? = nil, persistent: Bool = false, expiration: Int64 = 0, priority: Int8 = 4,
                replyTo: OpenWireDestination? = nil, timestamp: Int64 = 0, type: String? = nil,
                content: ByteBuffer? = nil, marshalledProperties: ByteBuffer? = nil,
                dataStructure: OpenWireDataStructure? = nil, targetConsumerId: OpenWireConsumerId? = nil,
                compressed: Bool = false, redeliveryCounter: Int32 = 0, brokerPath: [OpenWireBrokerId?]? = nil,
                arrival: Int64 = 0, userId: String? = nil, receivedByDFBridge: Bool = false, droppable: Bool = false,
                cluster: [OpenWireBrokerId?]? = nil, brokerInTime: Int64 = 0, brokerOutTime: Int64 = 0,
                jmsxGroupFirstForConsumer: Bool = false, remoteBlobUrl: String? = nil, mimeType: String? = nil,
                deletedByBroker: Bool = false) {
        self.kind = kind
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.producerId = producerId
        self.destination = destination
        self.transactionId = transactionId
        self.originalDestination = originalDestination
        self.messageId = messageId
        self.originalTransactionId = originalTransactionId
        self.groupId = groupId
        self.groupSequence = groupSequence
        self.correlationId = correlationId
        self.persistent = persistent
        self.expiration = expiration
        self.priority = priority
        self.replyTo = replyTo
        self.timestamp = timestamp
        self.type = type
        self.content = content
        self.marshalledProperties = marshalledProperties
        self.dataStructure = dataStructure
        self.targetConsumerId = targetConsumerId
        self.compressed = compressed
        self.redeliveryCounter = redeliveryCounter
        self.brokerPath = brokerPath
        self.arrival = arrival
        self.userId = userId
        self.receivedByDFBridge = receivedByDFBridge
        self.droppable = droppable
        self.cluster = cluster
        self.brokerInTime = brokerInTime
        self.brokerOutTime = brokerOutTime
        self.jmsxGroupFirstForConsumer = jmsxGroupFirstForConsumer
        self.remoteBlobUrl = remoteBlobUrl
        self.mimeType = mimeType
        self.deletedByBroker = deletedByBroker
    }
}

extension OpenWireMessage: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { Kind(rawValue: type) != nil }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        kind = Kind(rawValue: type) ?? .message
        commandId = try r.int32("Message.commandId")
        responseRequired = try r.bool("Message.responseRequired")
        producerId = try r.cached(OpenWireProducerId.self, "Message.producerId")
        destination = try r.cached(OpenWireDestination.self, "Message.destination")
        transactionId = try r.cached(OpenWireTransactionId.self, "Message.transactionId")
        originalDestination = try r.cached(OpenWireDestination.self, "Message.originalDestination")
        messageId = try r.nested(OpenWireMessageId.self, "Message.messageId")
        originalTransactionId = try r.cached(OpenWireTransactionId.self, "Message.originalTransactionId")
        groupId = try r.string("Message.groupId")
        groupSequence = try r.int32("Message.groupSequence")
        correlationId = try r.string("Message.correlationId")
        persistent = try r.bool("Message.persistent")
        expiration = try r.int64("Message.expiration")
        priority = try r.int8("Message.priority")
        replyTo = try r.nested(OpenWireDestination.self, "Message.replyTo")
        timestamp = try r.int64("Message.timestamp")
        self.type = try r.string("Message.type")
        content = try r.byteSequence("Message.content")
        marshalledProperties = try r.byteSequence("Message.marshalledProperties")
        dataStructure = try r.nested(OpenWireDataStructure.self, "Message.dataStructure")
        targetConsumerId = try r.cached(OpenWireConsumerId.self, "Message.targetConsumerId")
        compressed = try r.bool("Message.compressed")
        redeliveryCounter = try r.int32("Message.redeliveryCounter")
        brokerPath = try r.array(OpenWireBrokerId.self, "Message.brokerPath")
        arrival = try r.int64("Message.arrival")
        userId = try r.string("Message.userId")
        receivedByDFBridge = try r.bool("Message.receivedByDFBridge")
        droppable = try r.bool("Message.droppable")
        cluster = try r.array(OpenWireBrokerId.self, "Message.cluster")
        brokerInTime = try r.int64("Message.brokerInTime")
        brokerOutTime = try r.int64("Message.brokerOutTime")
        jmsxGroupFirstForConsumer = try r.bool("Message.jmsxGroupFirstForConsumer")
        if kind == .blob {
            remoteBlobUrl = try r.string("BlobMessage.remoteBlobUrl")
            mimeType = try r.string("BlobMessage.mimeType")
            deletedByBroker = try r.bool("BlobMessage.deletedByBroker")
        } else {
            remoteBlobUrl = nil
            mimeType = nil
            deletedByBroker = false
        }
    }

    var typeID: OpenWireTypeID { OpenWireTypeID(rawValue: kind.rawValue) }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.cached(producerId, "Message.producerId")
        try w.cached(destination, "Message.destination")
        try w.cached(transactionId, "Message.transactionId")
        try w.cached(originalDestination, "Message.originalDestination")
        try w.nested(messageId, "Message.messageId")
        try w.cached(originalTransactionId, "Message.originalTransactionId")
        try w.string(groupId, "Message.groupId")
        w.int32(groupSequence)
        try w.string(correlationId, "Message.correlationId")
        w.bool(persistent)
        w.int64(expiration)
        w.int8(priority)
        try w.nested(replyTo, "Message.replyTo")
        w.int64(timestamp)
        try w.string(type, "Message.type")
        try w.byteSequence(content, "Message.content")
        try w.byteSequence(marshalledProperties, "Message.marshalledProperties")
        try w.nested(dataStructure, "Message.dataStructure")
        try w.cached(targetConsumerId, "Message.targetConsumerId")
        w.bool(compressed)
        w.int32(redeliveryCounter)
        try w.array(brokerPath, "Message.brokerPath")
        w.int64(arrival)
        try w.string(userId, "Message.userId")
        w.bool(receivedByDFBridge)
        w.bool(droppable)
        try w.array(cluster, "Message.cluster")
        w.int64(brokerInTime)
        w.int64(brokerOutTime)
        w.bool(jmsxGroupFirstForConsumer)
        if kind == .blob {
            try w.string(remoteBlobUrl, "BlobMessage.remoteBlobUrl")
            try w.string(mimeType, "BlobMessage.mimeType")
            w.bool(deletedByBroker)
        }
    }

    var asDataStructure: OpenWireDataStructure { .command(.message(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.message(let message)) = dataStructure else { return nil }
        self = message
    }
}
