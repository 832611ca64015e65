import NIOCore
import XCTest
@testable import PierOpenWire

/// Malformed frames, each with the exact error it must raise (what, in which field, at which offset), fed
/// whole and byte by byte: the error must not depend on how the bytes arrived. Then every cut of a few
/// real commands, which must fail at the field the cut lands in.
final class OpenWireDecodeErrorTests: XCTestCase {
    private typealias S = OpenWireCodecTestSupport

    private struct Case {
        var name: String
        var bytes: [UInt8]
        var reason: OpenWireDecodeError.Reason
        var field: String
        var offset: Int?
        var path: [String]?
        var options = S.negotiated
    }

    private static func header(_ type: UInt8, commandId: Int32 = 1, responseRequired: UInt8 = 0) -> [UInt8] {
        [type] + S.be32(commandId) + [responseRequired]
    }

    /// A minimal message body (every nullable field null) whose content is `content`.
    private static func message(content: [UInt8]?) -> [UInt8] {
        var m = OpenWireMessage(kind: .text)
        m.priority = 4
        m.content = content.map { ByteBuffer(bytes: $0) }
        return Array(S.frame(.message(m)).dropFirst(4))
    }

    /// Body offset of `Message.content`'s presence byte in `message(content:)`: type, header (5), six
    /// null objects, groupId, groupSequence (4), correlationId, persistent, expiration (8), priority,
    /// replyTo, timestamp (8), type.
    private static let contentOffset = 1 + 5 + 6 + 1 + 4 + 1 + 1 + 8 + 1 + 1 + 8 + 1

    private static func patched(_ bytes: [UInt8], at offset: Int, with patch: [UInt8]) -> [UInt8] {
        var copy = bytes
        copy.replaceSubrange(offset..<offset + patch.count, with: patch)
        return copy
    }

    private static let withStackTraces = OpenWireFormatOptions(stackTraceEnabled: true)
    private static let cached = OpenWireFormatOptions(cacheEnabled: true)

    private static var cases: [Case] {
        let keepAlive = header(10)
        let textMessage = message(content: [0, 0, 0, 1, 65])
        let c = contentOffset
        return [
            // Frame size.
            Case(name: "negative size", bytes: S.be32(-1) + [10], reason: .negativeFrameSize(-1), field: "Frame.size", offset: 0),
            Case(name: "Int32.min size", bytes: S.be32(Int32.min), reason: .negativeFrameSize(Int32.min), field: "Frame.size"),
            Case(name: "zero size", bytes: S.be32(0) + keepAlive, reason: .emptyFrame, field: "Frame.size"),
            Case(name: "size over the limit, body not sent", bytes: S.be32(Int32.max),
                 reason: .frameTooLarge(size: Int(Int32.max), limit: OpenWireFormatOptions.defaultMaxFrameSize), field: "Frame.size"),
            Case(name: "size one over a small limit", bytes: S.be32(101), reason: .frameTooLarge(size: 101, limit: 100),
                 field: "Frame.size", options: OpenWireFormatOptions(maxFrameSize: 100)),
            // Type byte.
            Case(name: "null command", bytes: S.framed([0]), reason: .nullCommand, field: "Frame.type", offset: 0),
            Case(name: "unknown type 13", bytes: S.framed([13] + keepAlive.dropFirst()), reason: .unknownType(13), field: "Frame.type"),
            Case(name: "unknown type 200", bytes: S.framed([200]), reason: .unknownType(200), field: "Frame.type"),
            Case(name: "unsupported DiscoveryEvent", bytes: S.framed([40, 0, 0]), reason: .unsupportedType(40), field: "Frame.type"),
            Case(name: "unsupported PartialCommand", bytes: S.framed([60]), reason: .unsupportedType(60), field: "Frame.type"),
            Case(name: "a ConnectionId is not a command", bytes: S.framed([120] + S.str("c")), reason: .notACommand(120),
                 field: "Frame.type"),
            Case(name: "a queue is not a command", bytes: S.framed([100] + S.str("q")), reason: .notACommand(100),
                 field: "Frame.type"),
            Case(name: "trailing byte", bytes: S.framed(keepAlive + [0]), reason: .trailingBytes(1), field: "Frame.end", offset: 6),
            Case(name: "trailing bytes after a response", bytes: S.framed(header(30) + S.be32(1) + [1, 2, 3]),
                 reason: .trailingBytes(3), field: "Frame.end", offset: 10),
            // Booleans.
            Case(name: "responseRequired 2", bytes: S.framed(header(10, responseRequired: 2)), reason: .invalidBoolean(2),
                 field: "BaseCommand.responseRequired", offset: 5),
            Case(name: "responseRequired 0xFF", bytes: S.framed(header(11, responseRequired: 0xFF)), reason: .invalidBoolean(255),
                 field: "BaseCommand.responseRequired", offset: 5),
            Case(name: "object presence 7", bytes: S.framed(header(3) + [7]), reason: .invalidBoolean(7),
                 field: "ConnectionInfo.connectionId", offset: 6),
            Case(name: "string presence 2", bytes: S.framed(header(14) + [2]), reason: .invalidBoolean(2),
                 field: "ControlCommand.command", offset: 6),
            Case(name: "ConsumerInfo.browser 3", bytes: S.framed(header(5) + [0, 3]), reason: .invalidBoolean(3),
                 field: "ConsumerInfo.browser", offset: 7),
            Case(name: "bad boolean inside a nested object", bytes: S.framed(header(4) + [1, 121, 9]), reason: .invalidBoolean(9),
                 field: "SessionId.connectionId", offset: 8, path: ["SessionInfo.sessionId"]),
            // Truncation inside the frame.
            Case(name: "commandId cut", bytes: S.framed([10, 0, 0]), reason: .truncated(needed: 4, available: 2),
                 field: "BaseCommand.commandId", offset: 1),
            Case(name: "responseRequired missing", bytes: S.framed([10] + S.be32(1)), reason: .truncated(needed: 1, available: 0),
                 field: "BaseCommand.responseRequired", offset: 5),
            Case(name: "correlationId cut", bytes: S.framed(header(30) + [0, 0, 1]), reason: .truncated(needed: 4, available: 3),
                 field: "Response.correlationId", offset: 6),
            Case(name: "magic cut", bytes: S.framed([1] + Array("Activ".utf8)), reason: .truncated(needed: 8, available: 5),
                 field: "WireFormatInfo.magic", offset: 1),
            Case(name: "SessionId value cut", bytes: S.framed(header(4) + [1, 121] + S.str("c") + [0, 0, 0]),
                 reason: .truncated(needed: 8, available: 3), field: "SessionId.value", offset: 12, path: ["SessionInfo.sessionId"]),
            // Lengths.
            Case(name: "string longer than the frame", bytes: S.framed(header(14) + [1, 0, 16, 65]),
                 reason: .lengthBeyondFrame(length: 16, available: 1), field: "ControlCommand.command", offset: 7),
            Case(name: "string of 65535 in a tiny frame", bytes: S.framed(header(14) + [1, 0xFF, 0xFF, 65, 66, 67]),
                 reason: .lengthBeyondFrame(length: 65535, available: 3), field: "ControlCommand.command"),
            Case(name: "negative byte array", bytes: S.framed(header(18) + [0, 0, 0, 0, 0, 0, 0, 0, 1] + S.be32(-2)),
                 reason: .negativeLength(-2), field: "ConnectionControl.token", offset: 15),
            Case(name: "byte array of Int32.max", bytes: S.framed(header(18) + [0, 0, 0, 0, 0, 0, 0, 0, 1] + S.be32(Int32.max)),
                 reason: .lengthBeyondFrame(length: Int(Int32.max), available: 0), field: "ConnectionControl.token"),
            Case(name: "negative content length", bytes: S.framed(patched(textMessage, at: c + 1, with: S.be32(-1))),
                 reason: .negativeLength(-1), field: "Message.content", offset: c + 1),
            Case(name: "content longer than the frame", bytes: S.framed(patched(textMessage, at: c + 1, with: S.be32(1 << 20))),
                 reason: .lengthBeyondFrame(length: 1 << 20, available: textMessage.count - c - 5), field: "Message.content"),
            Case(name: "negative broker path count", bytes: S.framed(header(3) + [0, 0, 0, 0, 1] + S.be16(-1)),
                 reason: .negativeLength(-1), field: "ConnectionInfo.brokerPath", offset: 11),
            Case(name: "broker path of 32767 entries", bytes: S.framed(header(3) + [0, 0, 0, 0, 1] + S.be16(Int16.max) + [0, 0]),
                 reason: .lengthBeyondFrame(length: 32767, available: 2), field: "ConnectionInfo.brokerPath"),
            Case(name: "negative stack trace count",
                 bytes: S.framed(header(31) + S.be32(1) + [1] + S.str("E") + S.str(nil) + S.be16(-1)),
                 reason: .negativeLength(-1), field: "Throwable.stackTrace", path: ["ExceptionResponse.exception"],
                 options: withStackTraces),
            Case(name: "stack trace of 1000 elements", bytes: S.framed(header(31) + S.be32(1) + [1] + S.str("E") + S.str(nil)
                                                                       + S.be16(1000) + [0, 0, 0, 0, 0, 0, 0]),
                 reason: .lengthBeyondFrame(length: 1000, available: 7), field: "Throwable.stackTrace",
                 path: ["ExceptionResponse.exception"], options: withStackTraces),
            // Types in fields.
            Case(name: "ProducerId where a ConsumerId belongs", bytes: S.framed(header(5) + [1, 123] + S.str("c") + S.be64(1) + S.be64(1)),
                 reason: .unexpectedType(123), field: "ConsumerInfo.consumerId", offset: 7),
            Case(name: "unknown type in a destination field", bytes: S.framed(header(6) + [0, 1, 200]),
                 reason: .unknownType(200), field: "ProducerInfo.destination", offset: 8),
            Case(name: "unsupported type nested", bytes: S.framed(header(32) + S.be32(1) + [1, 55]),
                 reason: .unsupportedType(55), field: "DataResponse.data", offset: 11),
            Case(name: "type 0 nested", bytes: S.framed(header(12) + [1, 0]), reason: .unknownType(0), field: "RemoveInfo.objectId"),
            Case(name: "a MessageAck where a message belongs", bytes: S.framed(header(21) + [0, 0, 1, 22]),
                 reason: .unexpectedType(22), field: "MessageDispatch.message", offset: 9),
            Case(name: "a topic where a transaction id belongs", bytes: S.framed(header(7) + [0, 1, 101] + S.str("t")),
                 reason: .unexpectedType(101), field: "TransactionInfo.transactionId"),
            // Strings.
            Case(name: "continuation byte as lead", bytes: S.framed(header(14) + [1, 0, 2, 0x80, 65]), reason: .malformedString,
                 field: "ControlCommand.command", offset: 7),
            Case(name: "4-byte UTF-8 lead", bytes: S.framed(header(14) + [1, 0, 4, 0xF0, 0x9D, 0x84, 0x9E]),
                 reason: .malformedString, field: "ControlCommand.command"),
            Case(name: "3-byte sequence cut by its length", bytes: S.framed(header(14) + [1, 0, 2, 0xE2, 0x82]),
                 reason: .malformedString, field: "ControlCommand.command"),
            Case(name: "missing continuation", bytes: S.framed(header(14) + [1, 0, 2, 0xC3, 0x41]), reason: .malformedString,
                 field: "ControlCommand.command"),
            Case(name: "malformed physical name", bytes: S.framed(header(6) + [0, 1, 100, 1, 0, 1, 0xFF]),
                 reason: .malformedString, field: "ActiveMQDestination.physicalName", path: ["ProducerInfo.destination"]),
            // Magic.
            Case(name: "bad magic", bytes: S.framed([1] + Array("ActiveMX".utf8) + S.be32(12) + [0]),
                 reason: .badMagic(Array("ActiveMX".utf8)), field: "WireFormatInfo.magic", offset: 1),
            Case(name: "lower-case magic", bytes: S.framed([1] + Array("activemq".utf8) + S.be32(12) + [0]),
                 reason: .badMagic(Array("activemq".utf8)), field: "WireFormatInfo.magic"),
            Case(name: "STOMP sent to an OpenWire port", bytes: Array("CONNECT\naccept-version:1.2\n\n\0".utf8),
                 reason: .frameTooLarge(size: 0x434F_4E4E, limit: OpenWireFormatOptions.defaultMaxFrameSize), field: "Frame.size"),
            // Marshalling cache.
            Case(name: "reference to an empty slot", bytes: S.framed(header(4) + [0] + S.be16(5)), reason: .cacheMiss(5),
                 field: "SessionInfo.sessionId", offset: 7, options: cached),
            Case(name: "reference beyond the cache", bytes: S.framed(header(4) + [0] + S.be16(2000)), reason: .invalidCacheIndex(2000),
                 field: "SessionInfo.sessionId", offset: 7, options: cached),
            Case(name: "new entry at index -2", bytes: S.framed(header(4) + [1] + S.be16(-2) + [0]), reason: .invalidCacheIndex(-2),
                 field: "SessionInfo.sessionId", offset: 7, options: cached),
            Case(name: "cached ConnectionId read as a SessionId",
                 bytes: S.framed(header(3) + [1] + S.be16(0) + [1, 120] + S.str("c") + S.str(nil) + S.str(nil) + S.str(nil)
                                 + [0, 0, 0, 0, 0, 0] + S.str(nil))
                     + S.framed(header(4) + [0] + S.be16(0)),
                 reason: .unexpectedType(120), field: "SessionInfo.sessionId", options: cached),
        ]
    }

    func testMalformedFramesRaiseTheirError() {
        let cases = Self.cases
        XCTAssertGreaterThanOrEqual(cases.count, 40)
        for c in cases {
            for byteByByte in [false, true] {
                let error = Self.firstError(c.bytes, options: c.options, byteByByte: byteByByte)
                guard let error else {
                    XCTFail("\(c.name): no error")
                    continue
                }
                XCTAssertEqual(error.reason, c.reason, c.name)
                XCTAssertEqual(error.field, c.field, c.name)
                if let offset = c.offset { XCTAssertEqual(error.offset, offset, "\(c.name): offset") }
                if let path = c.path { XCTAssertEqual(error.path, path, "\(c.name): path") }
                XCTAssertFalse(error.description.isEmpty)
            }
        }
    }

    /// The size is judged on its 4 bytes alone: nothing of a refused body has to be buffered.
    func testOversizedFrameIsRefusedBeforeItsBody() {
        var decoder = OpenWireFrameDecoder(options: OpenWireFormatOptions(maxFrameSize: 1000))
        var buffer = ByteBuffer(bytes: S.be32(1001))
        XCTAssertThrowsError(try decoder.next(&buffer)) { error in
            XCTAssertEqual((error as? OpenWireDecodeError)?.reason, .frameTooLarge(size: 1001, limit: 1000))
        }
        XCTAssertEqual(buffer.readableBytes, 4, "nothing consumed")
        // Three bytes of a size are not enough to judge.
        var partial = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF])
        XCTAssertNil(try decoder.next(&partial))
    }

    /// Every cut of a real command inside its frame (the size says the command ends early) fails at the
    /// field the cut lands in; the fields met over all cuts are the command's v12 field order.
    func testEveryCutFailsAtTheFieldItLandsIn() throws {
        let consumerInfo: [String] = [
            "commandId", "responseRequired", "consumerId", "browser", "destination", "prefetchSize",
            "maximumPendingMessageLimit", "dispatchAsync", "selector", "clientId", "subscriptionName", "noLocal", "exclusive",
            "retroactive", "priority", "brokerPath", "additionalPredicate", "networkSubscription", "optimizedAcknowledge",
            "noRangeAcks", "networkConsumerPath",
        ].map { "ConsumerInfo." + $0 }
        let messageAck: [String] = [
            "commandId", "responseRequired", "destination", "transactionId", "consumerId", "ackType", "firstMessageId",
            "lastMessageId", "messageCount", "poisonCause",
        ].map { "MessageAck." + $0 }
        let message: [String] = [
            "commandId", "responseRequired", "producerId", "destination", "transactionId", "originalDestination", "messageId",
            "originalTransactionId", "groupId", "groupSequence", "correlationId", "persistent", "expiration", "priority",
            "replyTo", "timestamp", "type", "content", "marshalledProperties", "dataStructure", "targetConsumerId",
            "compressed", "redeliveryCounter", "brokerPath", "arrival", "userId", "receivedByDFBridge", "droppable", "cluster",
            "brokerInTime", "brokerOutTime", "jmsxGroupFirstForConsumer",
        ].map { "Message." + $0 }
        let wireFormatInfo = ["WireFormatInfo.magic", "WireFormatInfo.version", "WireFormatInfo.marshalledProperties"]
        let brokerInfo: [String] = [
            "commandId", "responseRequired", "brokerId", "brokerURL", "peerBrokerInfos", "brokerName", "slaveBroker",
            "masterBroker", "faultTolerantConfiguration", "duplexConnection", "networkConnection", "connectionId",
            "brokerUploadUrl", "networkProperties",
        ].map { "BrokerInfo." + $0 }

        let samples = OpenWireSamples.allCommands
        let checks: [(OpenWireTypeID, [String])] = [
            (.consumerInfo, consumerInfo), (.messageAck, messageAck), (.textMessage, message),
            (.wireFormatInfo, wireFormatInfo), (.brokerInfo, brokerInfo),
        ]
        for (type, fields) in checks {
            let command = try XCTUnwrap(samples.first { $0.typeID == type })
            let body = Array(S.frame(command).dropFirst(4))
            var met: [String] = []
            for cut in 1..<body.count {
                let bytes = S.be32(Int32(cut)) + body[0..<cut]
                guard let error = S.decodeError(bytes) else { continue }
                switch error.reason {
                case .truncated, .lengthBeyondFrame: break
                default: XCTFail("\(type) cut at \(cut): \(error)")
                }
                XCTAssertLessThanOrEqual(error.offset, cut, "\(type) cut at \(cut)")
                // The top-level field: the outermost of the path, or the field itself.
                let top = (error.path.first ?? error.field).replacingOccurrences(of: "BaseCommand.", with: "\(fields[0].split(separator: ".")[0]).")
                if met.last != top { met.append(top) }
            }
            XCTAssertEqual(met, fields, "\(type)")
        }
    }

    /// Objects nested past the limit, on decode and (for values built in Swift) on encode.
    func testNestingLimits() throws {
        var response = OpenWireResponse(correlationId: 0, payload: .none)
        for _ in 0..<40 { response = OpenWireResponse(correlationId: 0, payload: .data(.command(.response(response)))) }
        let deep = OpenWireFormatOptions(maxNestingDepth: 100)
        let bytes = S.frame(.response(response), options: deep)
        XCTAssertNotNil(try S.decode(bytes, options: deep))
        let error = S.decodeError(bytes, options: OpenWireFormatOptions(maxNestingDepth: 32))
        XCTAssertEqual(error?.reason, .nestingTooDeep(limit: 32))
        XCTAssertEqual(error?.field, "DataResponse.data")
        XCTAssertEqual(error?.path.count, 32)
        var buffer = ByteBuffer()
        XCTAssertThrowsError(try OpenWireCommand.response(response).encode(into: &buffer)) { error in
            XCTAssertEqual((error as? OpenWireEncodeError)?.reason, .nestingTooDeep(limit: 32))
        }
        XCTAssertEqual(buffer.readableBytes, 0, "a failed encode appends nothing")

        // An exception's cause chain counts as nesting too.
        var throwable = OpenWireThrowable(className: "E", message: nil)
        for _ in 0..<5 { throwable = OpenWireThrowable(className: "E", message: nil, cause: throwable) }
        let chain = OpenWireCommand.response(OpenWireResponse(correlationId: 1, payload: .exception(throwable)))
        let traced = OpenWireFormatOptions(stackTraceEnabled: true, maxNestingDepth: 3)
        let chainBytes = S.frame(chain, options: OpenWireFormatOptions(stackTraceEnabled: true))
        XCTAssertEqual(S.decodeError(chainBytes, options: traced)?.reason, .nestingTooDeep(limit: 3))
    }

    // MARK: Support

    private static func firstError(_ bytes: [UInt8], options: OpenWireFormatOptions, byteByByte: Bool) -> OpenWireDecodeError? {
        var decoder = OpenWireFrameDecoder(options: options)
        var buffer = ByteBuffer()
        let chunks: [ArraySlice<UInt8>] = byteByByte ? bytes.indices.map { bytes[$0...$0] } : [bytes[...]]
        for chunk in chunks {
            buffer.writeBytes(chunk)
            do {
                while try decoder.next(&buffer) != nil {}
            } catch {
                return error
            }
        }
        return nil
    }
}
