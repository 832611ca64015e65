import NIOCore
import XCTest

@testable import PierOpenWire

/// What the state machine's test files share: one connection with session 1, consumer 1 and producer 1,
/// and helpers that drive a machine to a state or build the commands the tests send.
protocol OpenWireStateMachineTesting {}

extension OpenWireStateMachineTesting {
    var conn: OpenWireConnectionId { OpenWireConnectionId("ID:test-1:1") }
    var session: OpenWireSessionId { OpenWireSessionId(connectionId: conn.value, value: 1) }
    var consumerId: OpenWireConsumerId { OpenWireConsumerId(connectionId: conn.value, sessionId: 1, value: 1) }
    var producerId: OpenWireProducerId { OpenWireProducerId(connectionId: conn.value, sessionId: 1, value: 1) }
    var tx: OpenWireTransactionId { .local(value: 1, connectionId: OpenWireConnectionId("ID:test-1:1")) }

    func clientWireFormat(version: Int32 = 12, tight: Bool = true, inactivity: Int64 = 30_000) throws -> OpenWireCommand {
        .wireFormatInfo(try OpenWireWireFormatInfo(version: version, properties: [
            "TightEncodingEnabled": .bool(tight), "CacheEnabled": .bool(true), "StackTraceEnabled": .bool(true),
            "SizePrefixDisabled": .bool(false), "CacheSize": .int(1024), "MaxInactivityDuration": .long(inactivity),
            "MaxInactivityDurationInitalDelay": .long(10_000),
        ]))
    }

    func response(_ correlation: Int32) -> OpenWireAction {
        .send(.response(OpenWireResponse(correlationId: correlation)))
    }

    func exception(_ actions: [OpenWireAction], file: StaticString = #filePath, line: UInt = #line) -> OpenWireThrowable? {
        for case .send(.response(let r)) in actions {
            if case .exception(let e) = r.payload { return e }
        }
        for case .send(.connectionError(let e)) in actions { return e.exception }
        XCTFail("expected an ExceptionResponse or ConnectionError, got \(actions)", file: file, line: line)
        return nil
    }

    /// A machine past WireFormatInfo, ConnectionInfo (admitted) and one SessionInfo.
    func connected() throws -> OpenWireConnectionStateMachine {
        var m = OpenWireConnectionStateMachine(now: 0)
        _ = m.receive(try clientWireFormat(), now: 0)
        let info = OpenWireConnectionInfo(commandId: 1, responseRequired: true, connectionId: conn, clientId: "client-1")
        XCTAssertEqual(m.receive(.connectionInfo(info), now: 0), [.admit(info, OpenWireRequest(commandId: 1, responseRequired: true))])
        XCTAssertEqual(m.connectAdmitted(OpenWireRequest(commandId: 1, responseRequired: true)), [response(1)])
        XCTAssertEqual(m.receive(.sessionInfo(OpenWireSessionInfo(commandId: 2, sessionId: session)), now: 0), [])
        return m
    }

    func consuming(prefetch: Int32 = 10) throws -> OpenWireConnectionStateMachine {
        var m = try connected()
        let info = OpenWireConsumerInfo(commandId: 3, responseRequired: true, consumerId: consumerId, destination: .queue("q"),
                                        prefetchSize: prefetch)
        XCTAssertEqual(m.receive(.consumerInfo(info), now: 0), [.addConsumer(info, OpenWireRequest(commandId: 3, responseRequired: true))])
        XCTAssertEqual(m.completed(OpenWireRequest(commandId: 3, responseRequired: true)), [response(3)])
        return m
    }

    func messageId(_ seq: Int64) -> OpenWireMessageId {
        OpenWireMessageId(producerId: producerId, producerSequenceId: seq, brokerSequenceId: 0)
    }

    /// Dispatches the producer's message `seq`; returns the broker sequence id it went out with.
    @discardableResult
    func dispatch(_ m: inout OpenWireConnectionStateMachine, seq: Int64, tag: UInt64, to consumer: OpenWireConsumerId? = nil,
                          file: StaticString = #filePath, line: UInt = #line) -> Int64 {
        let message = OpenWireMessage(kind: .text, destination: .queue("q"), messageId: messageId(seq))
        let d = OpenWireMessageDispatch(consumerId: consumer ?? consumerId, destination: .queue("q"), message: message)
        let actions = m.deliver(d, tag: tag)
        guard actions.count == 1, case .send(.messageDispatch(let sent)) = actions[0],
              let stamped = sent.message?.messageId?.brokerSequenceId else {
            XCTFail("\(actions)", file: file, line: line)
            return -1
        }
        var expected = d
        expected.message?.messageId?.brokerSequenceId = stamped
        XCTAssertEqual(sent, expected, "only the broker sequence id is stamped", file: file, line: line)
        return stamped
    }

    func ack(_ type: OpenWireMessageAck.AckType, first: Int64? = nil, last: Int64, count: Int32 = 1,
                     tx: OpenWireTransactionId? = nil, cause: OpenWireThrowable? = nil) -> OpenWireCommand {
        .messageAck(OpenWireMessageAck(commandId: 20, destination: .queue("q"), transactionId: tx, consumerId: consumerId, ackType: type,
                                       firstMessageId: first.map(messageId), lastMessageId: messageId(last), messageCount: count,
                                       poisonCause: cause))
    }
}
