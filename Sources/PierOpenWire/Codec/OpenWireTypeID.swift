/// The data-structure type ids of OpenWire v12, the byte that opens every frame body and every nested
/// object (`org.apache.activemq.command.CommandTypes` in activemq-client 5.17).
///
/// A struct rather than an enum so an unknown byte read off the wire can still be named in an error.
public struct OpenWireTypeID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    // Commands.
    public static let wireFormatInfo = Self(rawValue: 1)
    public static let brokerInfo = Self(rawValue: 2)
    public static let connectionInfo = Self(rawValue: 3)
    public static let sessionInfo = Self(rawValue: 4)
    public static let consumerInfo = Self(rawValue: 5)
    public static let producerInfo = Self(rawValue: 6)
    public static let transactionInfo = Self(rawValue: 7)
    public static let destinationInfo = Self(rawValue: 8)
    public static let removeSubscriptionInfo = Self(rawValue: 9)
    public static let keepAliveInfo = Self(rawValue: 10)
    public static let shutdownInfo = Self(rawValue: 11)
    public static let removeInfo = Self(rawValue: 12)
    public static let controlCommand = Self(rawValue: 14)
    public static let flushCommand = Self(rawValue: 15)
    public static let connectionError = Self(rawValue: 16)
    public static let consumerControl = Self(rawValue: 17)
    public static let connectionControl = Self(rawValue: 18)
    public static let producerAck = Self(rawValue: 19)
    public static let messagePull = Self(rawValue: 20)
    public static let messageDispatch = Self(rawValue: 21)
    public static let messageAck = Self(rawValue: 22)
    public static let message = Self(rawValue: 23)
    public static let bytesMessage = Self(rawValue: 24)
    public static let mapMessage = Self(rawValue: 25)
    public static let objectMessage = Self(rawValue: 26)
    public static let streamMessage = Self(rawValue: 27)
    public static let textMessage = Self(rawValue: 28)
    public static let blobMessage = Self(rawValue: 29)
    public static let response = Self(rawValue: 30)
    public static let exceptionResponse = Self(rawValue: 31)
    public static let dataResponse = Self(rawValue: 32)
    public static let dataArrayResponse = Self(rawValue: 33)
    public static let integerResponse = Self(rawValue: 34)
    public static let messageDispatchNotification = Self(rawValue: 90)
    // Data structures that only ever appear nested.
    public static let networkBridgeFilter = Self(rawValue: 91)
    public static let queue = Self(rawValue: 100)
    public static let topic = Self(rawValue: 101)
    public static let tempQueue = Self(rawValue: 102)
    public static let tempTopic = Self(rawValue: 103)
    public static let messageId = Self(rawValue: 110)
    public static let localTransactionId = Self(rawValue: 111)
    public static let xaTransactionId = Self(rawValue: 112)
    public static let connectionId = Self(rawValue: 120)
    public static let sessionId = Self(rawValue: 121)
    public static let consumerId = Self(rawValue: 122)
    public static let producerId = Self(rawValue: 123)
    public static let brokerId = Self(rawValue: 124)

    /// Type 0 stands for a null object at the top of a frame (`OpenWireFormat.NULL_TYPE`).
    public static let null = Self(rawValue: 0)

    /// Types v12 registers a marshaller for that Pier does not decode: network-of-brokers and journal
    /// structures, partial commands of the UDP transport. Reported as `.unsupportedType` rather than
    /// `.unknownType`, so a log tells a real peer's feature apart from garbage.
    static let unsupported: Set<UInt8> = [40, 50, 52, 53, 54, 55, 60, 61, 65, 92]

    public var name: String {
        switch rawValue {
        case 0: return "Null"
        case 1: return "WireFormatInfo"
        case 2: return "BrokerInfo"
        case 3: return "ConnectionInfo"
        case 4: return "SessionInfo"
        case 5: return "ConsumerInfo"
        case 6: return "ProducerInfo"
        case 7: return "TransactionInfo"
        case 8: return "DestinationInfo"
        case 9: return "RemoveSubscriptionInfo"
        case 10: return "KeepAliveInfo"
        case 11: return "ShutdownInfo"
        case 12: return "RemoveInfo"
        case 14: return "ControlCommand"
        case 15: return "FlushCommand"
        case 16: return "ConnectionError"
        case 17: return "ConsumerControl"
        case 18: return "ConnectionControl"
        case 19: return "ProducerAck"
        case 20: return "MessagePull"
        case 21: return "MessageDispatch"
        case 22: return "MessageAck"
        case 23: return "ActiveMQMessage"
        case 24: return "ActiveMQBytesMessage"
        case 25: return "ActiveMQMapMessage"
        case 26: return "ActiveMQObjectMessage"
        case 27: return "ActiveMQStreamMessage"
        case 28: return "ActiveMQTextMessage"
        case 29: return "ActiveMQBlobMessage"
        case 30: return "Response"
        case 31: return "ExceptionResponse"
        case 32: return "DataResponse"
        case 33: return "DataArrayResponse"
        case 34: return "IntegerResponse"
        case 40: return "DiscoveryEvent"
        case 50: return "JournalTopicAck"
        case 52: return "JournalQueueAck"
        case 53: return "JournalTrace"
        case 54: return "JournalTransaction"
        case 55: return "SubscriptionInfo"
        case 60: return "PartialCommand"
        case 61: return "LastPartialCommand"
        case 65: return "ReplayCommand"
        case 90: return "MessageDispatchNotification"
        case 91: return "NetworkBridgeFilter"
        case 92: return "BrokerSubscriptionInfo"
        case 100: return "ActiveMQQueue"
        case 101: return "ActiveMQTopic"
        case 102: return "ActiveMQTempQueue"
        case 103: return "ActiveMQTempTopic"
        case 110: return "MessageId"
        case 111: return "LocalTransactionId"
        case 112: return "XATransactionId"
        case 120: return "ConnectionId"
        case 121: return "SessionId"
        case 122: return "ConsumerId"
        case 123: return "ProducerId"
        case 124: return "BrokerId"
        default: return "type \(rawValue)"
        }
    }

    public var description: String { "\(name) (\(rawValue))" }
}
