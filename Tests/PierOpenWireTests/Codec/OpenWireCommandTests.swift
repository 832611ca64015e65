import NIOCore
import XCTest
@testable import PierOpenWire

/// Every command type survives encode then decode, under each combination of stack traces and cache, and
/// the command-level accessors agree with the wire.
final class OpenWireCommandTests: XCTestCase {
    private typealias S = OpenWireCodecTestSupport

    private static let optionSets: [OpenWireFormatOptions] = [
        OpenWireFormatOptions(),
        OpenWireFormatOptions(stackTraceEnabled: true),
        OpenWireFormatOptions(stackTraceEnabled: true, cacheEnabled: true),
        OpenWireFormatOptions(cacheEnabled: true, cacheSize: 0),
    ]

    func testEveryCommandTypeIsSampled() {
        let sampled = Set(OpenWireSamples.allCommands.map(\.typeID.rawValue))
        let decodable = Set((0...255).map(UInt8.init).filter { OpenWireCommand.accepts($0) })
        XCTAssertEqual(sampled, decodable)
        XCTAssertEqual(sampled.count, 34)
    }

    func testEveryCommandRoundTrips() throws {
        for options in Self.optionSets {
            for command in OpenWireSamples.allCommands {
                var expected = command
                if !options.stackTraceEnabled { expected = Self.withoutStackTraces(command) }
                let bytes = S.frame(command, options: options)
                XCTAssertEqual(bytes[4], command.typeID.rawValue)
                XCTAssertEqual(Array(bytes[0..<4]), S.be32(Int32(bytes.count - 4)), "size prefix")
                let decoded = try S.decode(bytes, options: options)
                XCTAssertEqual(decoded, expected, "\(command.typeID) with \(options)")
                // And the bytes are a fixed point: decoding then encoding gives them back.
                if let decoded { XCTAssertEqual(S.frame(decoded, options: options), bytes, "\(command.typeID)") }
            }
        }
    }

    /// A whole stream of every command through one encoder and one decoder: with the cache on, later frames
    /// refer to slots earlier ones filled, and still decode to the same commands.
    func testStreamOfAllCommandsWithCache() throws {
        let options = OpenWireFormatOptions(stackTraceEnabled: true, cacheEnabled: true)
        var encoder = OpenWireFrameEncoder(options: options)
        var wire = ByteBuffer()
        let commands = OpenWireSamples.allCommands + OpenWireSamples.allCommands
        for command in commands { try encoder.encode(command, into: &wire) }
        var decoder = OpenWireFrameDecoder(options: options)
        for command in commands { XCTAssertEqual(try decoder.next(&wire), command) }
        XCTAssertEqual(wire.readableBytes, 0)
    }

    func testCommandIdAndResponseRequiredAccessors() {
        for command in OpenWireSamples.allCommands {
            let bytes = S.frame(command)
            guard command.typeID != .wireFormatInfo else {
                XCTAssertEqual(command.commandId, 0)
                XCTAssertFalse(command.responseRequired)
                continue
            }
            // Every command but WireFormatInfo starts with commandId then responseRequired.
            let commandId = bytes[5..<9].reduce(Int32(0)) { $0 << 8 | Int32($1) }
            XCTAssertEqual(command.commandId, commandId, "\(command.typeID)")
            XCTAssertEqual(command.responseRequired, bytes[9] == 1, "\(command.typeID)")
        }
    }

    /// The stateless entry points: `decode(from:)` reads one frame and leaves the next.
    func testStatelessEntryPoints() throws {
        var buffer = ByteBuffer()
        let first = OpenWireCommand.keepAliveInfo(OpenWireCommandHeader(commandId: 1))
        let second = OpenWireCommand.shutdownInfo(OpenWireCommandHeader(commandId: 2, responseRequired: true))
        try first.encode(into: &buffer)
        try second.encode(into: &buffer)
        XCTAssertEqual(Array(buffer.readableBytesView), [0, 0, 0, 6, 10, 0, 0, 0, 1, 0, 0, 0, 0, 6, 11, 0, 0, 0, 2, 1])
        XCTAssertEqual(try OpenWireCommand.decode(from: &buffer), first)
        XCTAssertEqual(try OpenWireCommand.decode(from: &buffer), second)
        XCTAssertNil(try OpenWireCommand.decode(from: &buffer))
    }

    /// A KeepAliveInfo as Java writes it, byte for byte, and a Response.
    func testKnownEncodings() {
        XCTAssertEqual(S.frame(.keepAliveInfo(OpenWireCommandHeader(commandId: 0, responseRequired: false))),
                       [0, 0, 0, 6, 10, 0, 0, 0, 0, 0])
        XCTAssertEqual(S.frame(.response(OpenWireResponse(correlationId: 1))),
                       [0, 0, 0, 10, 30, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        // A SessionInfo: header, then the nested SessionId (present, type 121, connection id string, value).
        let session = OpenWireCommand.sessionInfo(OpenWireSessionInfo(commandId: 3, responseRequired: true,
                                                                       sessionId: OpenWireSessionId(connectionId: "c", value: 1)))
        XCTAssertEqual(S.frame(session), S.framed([4] + S.be32(3) + [1] + [1, 121] + S.str("c") + S.be64(1)))
    }

    func testDestinationKinds() throws {
        for kind in OpenWireDestination.Kind.allCases {
            let command = OpenWireCommand.producerInfo(OpenWireProducerInfo(destination: OpenWireDestination(kind, "d")))
            let bytes = S.frame(command)
            // size (4), type (1), header (5), producerId absent (1), destination present (1), its type byte.
            XCTAssertEqual(bytes[4 + 5 + 1 + 1 + 1], kind.rawValue)
            XCTAssertEqual(try S.decode(bytes), command)
        }
        XCTAssertEqual(OpenWireDestination.queue("a").description, "queue://a")
        XCTAssertEqual(OpenWireDestination(.tempTopic, "t").description, "temp-topic://t")
        XCTAssertTrue(OpenWireDestination.Kind.tempQueue.isTemporary)
        XCTAssertTrue(OpenWireDestination.Kind.topic.isTopic)
    }

    func testXATransactionIdDecodesSoItCanBeRefused() throws {
        let command = OpenWireCommand.transactionInfo(OpenWireTransactionInfo(transactionId: OpenWireSamples.xaTx, type: .begin))
        guard case .transactionInfo(let info)? = try S.decode(S.frame(command)) else { return XCTFail() }
        XCTAssertEqual(info.transactionId?.isXA, true)
        XCTAssertEqual(info.transactionId, OpenWireSamples.xaTx)
    }

    func testThrowableWithoutStackTracesDropsThem() throws {
        let response = OpenWireCommand.response(OpenWireResponse(correlationId: 1, payload: .exception(OpenWireSamples.throwable)))
        let plain = OpenWireFormatOptions()
        let bytes = S.frame(response, options: plain)
        guard case .response(let decoded)? = try S.decode(bytes, options: plain),
              case .exception(let exception?) = decoded.payload else { return XCTFail() }
        XCTAssertEqual(exception.className, OpenWireSamples.throwable.className)
        XCTAssertEqual(exception.message, OpenWireSamples.throwable.message)
        XCTAssertEqual(exception.stackTrace, [])
        XCTAssertNil(exception.cause)
        // With traces, the chain comes back whole.
        guard case .response(let full)? = try S.decode(S.frame(response)), case .exception(let e?) = full.payload else {
            return XCTFail()
        }
        XCTAssertEqual(e, OpenWireSamples.throwable)
        XCTAssertEqual(e.cause?.className, "java.io.IOException")
    }

    /// What the sample would decode to with stack traces off.
    static func withoutStackTraces(_ command: OpenWireCommand) -> OpenWireCommand {
        func strip(_ t: OpenWireThrowable?) -> OpenWireThrowable? {
            t.map { OpenWireThrowable(className: $0.className, message: $0.message) }
        }
        switch command {
        case .connectionError(var c):
            c.exception = strip(c.exception)
            return .connectionError(c)
        case .messageAck(var c):
            c.poisonCause = strip(c.poisonCause)
            return .messageAck(c)
        case .response(var r):
            if case .exception(let t) = r.payload { r.payload = .exception(strip(t)) }
            return .response(r)
        default:
            return command
        }
    }
}
