import NIOCore
@testable import PierOpenWire

/// One value of every command type with every field set away from its default, so a field dropped or
/// swapped by the codec shows up in a round trip.
enum OpenWireSamples {
    static let connectionId = OpenWireConnectionId("ID:host-40123-1700000000000-1:1")
    static let sessionId = OpenWireSessionId(connectionId: connectionId.value, value: 1)
    static let consumerId = OpenWireConsumerId(connectionId: connectionId.value, sessionId: 1, value: 2)
    static let producerId = OpenWireProducerId(connectionId: connectionId.value, sessionId: 1, value: 3)
    static let messageId = OpenWireMessageId(textView: nil, producerId: producerId, producerSequenceId: 42, brokerSequenceId: 7)
    static let brokerId = OpenWireBrokerId("ID:broker-1")
    static let queue = OpenWireDestination.queue("orders")
    static let topic = OpenWireDestination.topic("prices.>")
    static let localTx = OpenWireTransactionId.local(value: 5, connectionId: connectionId)
    static let xaTx = OpenWireTransactionId.xa(formatId: 131_075, globalTransactionId: [1, 2, 3, 4], branchQualifier: [9, 8])

    static let throwable = OpenWireThrowable(
        className: "javax.jms.InvalidDestinationException", message: "no such destination: héllo",
        stackTrace: [
            .init(className: "org.apache.activemq.broker.Foo", methodName: "bar", fileName: "Foo.java", lineNumber: 12),
            .init(className: "java.lang.Thread", methodName: "run", fileName: nil, lineNumber: -1),
        ],
        cause: OpenWireThrowable(className: "java.io.IOException", message: nil, stackTrace: [], cause: nil))

    static let properties: OpenWirePrimitiveMap = [
        "JMSXGroupID": .string("g"), "count": .int(3), "flag": .bool(true), "ratio": .double(0.5),
    ]

    static func message(_ kind: OpenWireMessage.Kind) -> OpenWireMessage {
        var message = OpenWireMessage(
            kind: kind, commandId: 11, responseRequired: true, producerId: producerId, destination: queue,
            transactionId: localTx, originalDestination: topic, messageId: messageId, originalTransactionId: xaTx,
            groupId: "group", groupSequence: 3, correlationId: "corr-1", persistent: true, expiration: 1_700_000_600_000,
            priority: 7, replyTo: .init(.tempQueue, "ID:host-1:1:1"), timestamp: 1_700_000_000_000, type: "jms-type",
            content: ByteBuffer(bytes: [0, 1, 2, 0xFF]), marshalledProperties: nil,
            dataStructure: .command(.consumerInfo(consumerInfo)), targetConsumerId: consumerId, compressed: false,
            redeliveryCounter: 2, brokerPath: [brokerId, nil], arrival: 1_700_000_000_001, userId: "alice",
            receivedByDFBridge: true, droppable: true, cluster: [brokerId], brokerInTime: 1_700_000_000_002,
            brokerOutTime: 1_700_000_000_003, jmsxGroupFirstForConsumer: true)
        if kind == .blob {
            message.remoteBlobUrl = "http://127.0.0.1:9/blob.bin"
            message.mimeType = "application/octet-stream"
            message.deletedByBroker = true
        }
        try? message.setProperties(properties)
        return message
    }

    static let consumerInfo = OpenWireConsumerInfo(
        commandId: 4, responseRequired: true, consumerId: consumerId, browser: true, destination: topic, prefetchSize: 7,
        maximumPendingMessageLimit: 50, dispatchAsync: true, selector: "color = 'red'", clientId: "client-1",
        subscriptionName: "sub-1", noLocal: true, exclusive: true, retroactive: true, priority: -5,
        brokerPath: [brokerId], additionalPredicate: .networkBridgeFilter(
            OpenWireNetworkBridgeFilter(networkBrokerId: brokerId, messageTTL: 1, consumerTTL: 2)),
        networkSubscription: true, optimizedAcknowledge: true, noRangeAcks: true, networkConsumerPath: [consumerId, nil])

    /// One of every command type Pier decodes (all 34 type ids).
    static var allCommands: [OpenWireCommand] {
        var commands: [OpenWireCommand] = [
            .wireFormatInfo(try! OpenWireWireFormatInfo(version: 12, properties: [
                "CacheEnabled": .bool(false), "CacheSize": .int(1024), "MaxInactivityDuration": .long(30000),
                "ProviderName": .string("Pier"),
            ])),
            .brokerInfo(OpenWireBrokerInfo(
                commandId: 1, responseRequired: true, brokerId: brokerId, brokerURL: "tcp://localhost:61616",
                peerBrokerInfos: [OpenWireBrokerInfo(brokerId: OpenWireBrokerId("peer"), brokerName: "peer"), nil],
                brokerName: "pier", slaveBroker: true, masterBroker: true, faultTolerantConfiguration: true,
                duplexConnection: true, networkConnection: true, connectionId: 99, brokerUploadUrl: "http://up",
                networkProperties: "a=b")),
            .connectionInfo(OpenWireConnectionInfo(
                commandId: 1, responseRequired: true, connectionId: connectionId, clientId: "client-1", password: "secret",
                userName: "alice", brokerPath: [brokerId], brokerMasterConnector: true, manageable: true, clientMaster: true,
                faultTolerant: true, failoverReconnect: true, clientIp: "tcp://10.0.0.1:40123")),
            .sessionInfo(OpenWireSessionInfo(commandId: 2, responseRequired: true, sessionId: sessionId)),
            .consumerInfo(consumerInfo),
            .producerInfo(OpenWireProducerInfo(
                commandId: 5, responseRequired: true, producerId: producerId, destination: queue, brokerPath: [brokerId],
                dispatchAsync: true, windowSize: 1024)),
            .transactionInfo(OpenWireTransactionInfo(
                commandId: 6, responseRequired: true, connectionId: connectionId, transactionId: xaTx, type: .commitTwoPhase)),
            .destinationInfo(OpenWireDestinationInfo(
                commandId: 7, responseRequired: true, connectionId: connectionId, destination: .init(.tempTopic, "ID:t:1"),
                operationType: .remove, timeout: 1000, brokerPath: [])),
            .removeSubscriptionInfo(OpenWireRemoveSubscriptionInfo(
                commandId: 8, responseRequired: true, connectionId: connectionId, subscriptionName: "sub-1", clientId: "client-1")),
            .keepAliveInfo(OpenWireCommandHeader(commandId: 9, responseRequired: true)),
            .shutdownInfo(OpenWireCommandHeader(commandId: 10, responseRequired: false)),
            .removeInfo(OpenWireRemoveInfo(commandId: 12, responseRequired: true, objectId: .consumerId(consumerId),
                                           lastDeliveredSequenceId: -2)),
            .controlCommand(OpenWireControlCommand(commandId: 13, responseRequired: true, command: "shutdown")),
            .flushCommand(OpenWireCommandHeader(commandId: 14, responseRequired: true)),
            .connectionError(OpenWireConnectionError(commandId: 15, responseRequired: true, exception: throwable,
                                                     connectionId: connectionId)),
            .consumerControl(OpenWireConsumerControl(
                commandId: 16, responseRequired: true, destination: queue, close: true, consumerId: consumerId, prefetch: 10,
                flush: true, start: true, stop: true)),
            .connectionControl(OpenWireConnectionControl(
                commandId: 17, responseRequired: true, close: true, exit: true, faultTolerant: true, resume: true,
                suspend: true, connectedBrokers: "tcp://a,tcp://b", reconnectTo: "tcp://c", rebalanceConnection: true,
                token: [1, 2, 3])),
            .producerAck(OpenWireProducerAck(commandId: 18, responseRequired: true, producerId: producerId, size: 4096)),
            .messagePull(OpenWireMessagePull(
                commandId: 19, responseRequired: true, consumerId: consumerId, destination: queue, timeout: -1,
                correlationId: "pull-1", messageId: messageId)),
            .messageDispatch(OpenWireMessageDispatch(
                commandId: 20, responseRequired: true, consumerId: consumerId, destination: queue, message: message(.text),
                redeliveryCounter: 1)),
            .messageAck(OpenWireMessageAck(
                commandId: 21, responseRequired: true, destination: queue, transactionId: localTx, consumerId: consumerId,
                ackType: .poison, firstMessageId: messageId, lastMessageId: messageId, messageCount: 3,
                poisonCause: throwable)),
            .response(OpenWireResponse(commandId: 22, responseRequired: true, correlationId: 5)),
            .response(OpenWireResponse(commandId: 23, correlationId: 6, payload: .exception(throwable))),
            .response(OpenWireResponse(commandId: 24, correlationId: 7, payload: .data(.brokerId(brokerId)))),
            .response(OpenWireResponse(commandId: 25, correlationId: 8, payload: .dataArray([.transactionId(xaTx), nil]))),
            .response(OpenWireResponse(commandId: 26, correlationId: 9, payload: .integer(3))),
            .messageDispatchNotification(OpenWireMessageDispatchNotification(
                commandId: 27, responseRequired: true, consumerId: consumerId, destination: queue, deliverySequenceId: 77,
                messageId: messageId)),
        ]
        commands += OpenWireMessage.Kind.allCases.map { .message(message($0)) }
        return commands
    }
}
