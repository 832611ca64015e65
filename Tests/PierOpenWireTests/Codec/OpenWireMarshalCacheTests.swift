import NIOCore
import XCTest
@testable import PierOpenWire

/// The marshalling cache with `CacheEnabled` negotiated: slots assigned as ActiveMQ assigns them, null
/// cached like a value, eviction and a full cache, and an encoder and a decoder that stay in step.
final class OpenWireMarshalCacheTests: XCTestCase {
    private typealias S = OpenWireCodecTestSupport
    private static let options = OpenWireFormatOptions(cacheEnabled: true)

    private static func encode(_ commands: [OpenWireCommand], options: OpenWireFormatOptions = options) throws -> [[UInt8]] {
        var encoder = OpenWireFrameEncoder(options: options)
        return try commands.map { command in
            var buffer = ByteBuffer()
            try encoder.encode(command, into: &buffer)
            return Array(buffer.readableBytesView)
        }
    }

    private static func decode(_ frames: [[UInt8]], options: OpenWireFormatOptions = options) throws -> [OpenWireCommand] {
        var decoder = OpenWireFrameDecoder(options: options)
        var buffer = ByteBuffer(bytes: frames.flatMap { $0 })
        var out: [OpenWireCommand] = []
        while let command = try decoder.next(&buffer) { out.append(command) }
        XCTAssertEqual(buffer.readableBytes, 0)
        return out
    }

    func testSlotsAndReferences() throws {
        let id = OpenWireConnectionId("c")
        let first = OpenWireCommand.sessionInfo(OpenWireSessionInfo(commandId: 1, sessionId: OpenWireSessionId(connectionId: "c", value: 1)))
        let tx = OpenWireCommand.transactionInfo(OpenWireTransactionInfo(commandId: 2, connectionId: id,
                                                                          transactionId: .local(value: 1, connectionId: id)))
        let again = OpenWireCommand.transactionInfo(OpenWireTransactionInfo(commandId: 3, connectionId: id, transactionId: nil))
        let frames = try Self.encode([first, tx, again])
        // New value: true, slot 0, then the object in full.
        XCTAssertEqual(frames[0], S.framed([4] + S.be32(1) + [0] + [1] + S.be16(0) + [1, 121] + S.str("c") + S.be64(1)))
        // The ConnectionId takes slot 1, the transaction id slot 2, and inside it the ConnectionId is a reference.
        XCTAssertEqual(frames[1], S.framed([7] + S.be32(2) + [0] + [1] + S.be16(1) + [1, 120] + S.str("c")
                                           + [1] + S.be16(2) + [1, 111] + S.be64(1) + [0] + S.be16(1) + [0]))
        // Known ConnectionId: a reference; null transaction id: a new null value in slot 3.
        XCTAssertEqual(frames[2], S.framed([7] + S.be32(3) + [0] + [0] + S.be16(1) + [1] + S.be16(3) + [0] + [0]))
        XCTAssertEqual(try Self.decode(frames), [first, tx, again])
        // A second null transaction id refers to slot 3.
        let nullAgain = try Self.encode([first, tx, again, again])[3]
        XCTAssertEqual(nullAgain, S.framed([7] + S.be32(3) + [0] + [0] + S.be16(1) + [0] + S.be16(3) + [0]))
        XCTAssertEqual(try Self.decode(try Self.encode([first, tx, again, again])).last, again)
    }

    /// Many distinct ids through a small cache: slots are evicted and reused, and both sides agree.
    func testEvictionKeepsBothSidesInStep() throws {
        let options = OpenWireFormatOptions(cacheEnabled: true, cacheSize: 150)
        var commands: [OpenWireCommand] = []
        for i in 0..<600 {
            let producer = OpenWireProducerId(connectionId: "c", sessionId: 1, value: Int64(i % 220))
            commands.append(.producerInfo(OpenWireProducerInfo(commandId: Int32(i), producerId: producer,
                                                               destination: .queue("q\(i % 170)"))))
        }
        let frames = try Self.encode(commands, options: options)
        XCTAssertEqual(try Self.decode(frames, options: options), commands)
        // And a cache of 0 slots means ActiveMQ's fallback size.
        let fallback = OpenWireFormatOptions(cacheEnabled: true, cacheSize: 0)
        XCTAssertEqual(try Self.decode(try Self.encode(commands, options: fallback), options: fallback), commands)
    }

    /// With every slot taken within one frame, a value goes out in full with index -1 and is not cached.
    func testFullCacheSendsMinusOne() throws {
        let options = OpenWireFormatOptions(cacheEnabled: true, cacheSize: 2)
        let ack = OpenWireCommand.messageAck(OpenWireMessageAck(
            destination: .queue("q"), transactionId: OpenWireSamples.localTx, consumerId: OpenWireSamples.consumerId))
        let frames = try Self.encode([ack, ack, ack], options: options)
        XCTAssertTrue(frames[0].indices.dropLast().contains { frames[0][$0] == 0xFF && frames[0][$0 + 1] == 0xFF })
        XCTAssertEqual(try Self.decode(frames, options: options), [ack, ack, ack])
    }

    /// A failed encode must not leave cache entries the peer never received.
    func testFailedEncodeResetsTheCache() throws {
        var encoder = OpenWireFrameEncoder(options: Self.options)
        var buffer = ByteBuffer()
        let tooLong = String(repeating: "s", count: 70000)
        let bad = OpenWireCommand.consumerInfo(OpenWireConsumerInfo(consumerId: OpenWireSamples.consumerId, selector: tooLong))
        XCTAssertThrowsError(try encoder.encode(bad, into: &buffer))
        XCTAssertEqual(buffer.readableBytes, 0)
        let good = OpenWireCommand.consumerInfo(OpenWireConsumerInfo(consumerId: OpenWireSamples.consumerId, selector: "a = 1"))
        try encoder.encode(good, into: &buffer)
        var decoder = OpenWireFrameDecoder(options: Self.options)
        XCTAssertEqual(try decoder.next(&buffer), good)
    }

    /// New options after the WireFormatInfo exchange start both caches over.
    func testRenegotiationResetsTheCaches() throws {
        let frames = try Self.encode([.sessionInfo(OpenWireSessionInfo(sessionId: OpenWireSamples.sessionId)),
                                      .sessionInfo(OpenWireSessionInfo(sessionId: OpenWireSamples.sessionId))])
        var decoder = OpenWireFrameDecoder(options: Self.options)
        var first = ByteBuffer(bytes: frames[0])
        XCTAssertNotNil(try decoder.next(&first))
        decoder.options.cacheSize = 512
        var second = ByteBuffer(bytes: frames[1])
        XCTAssertThrowsError(try decoder.next(&second)) {
            XCTAssertEqual(($0 as? OpenWireDecodeError)?.reason, .cacheMiss(0))
        }
        // Unrelated option changes keep the cache.
        var kept = OpenWireFrameDecoder(options: Self.options)
        first = ByteBuffer(bytes: frames[0])
        second = ByteBuffer(bytes: frames[1])
        XCTAssertNotNil(try kept.next(&first))
        kept.options.stackTraceEnabled = true
        XCTAssertNotNil(try kept.next(&second))
    }

    /// Without the cache, cached fields are plain nested objects: the same bytes as a nested field.
    func testCacheOffIsNested() {
        let info = OpenWireCommand.sessionInfo(OpenWireSessionInfo(commandId: 1, sessionId: OpenWireSessionId(connectionId: "c", value: 1)))
        XCTAssertEqual(S.frame(info, options: OpenWireFormatOptions()),
                       S.framed([4] + S.be32(1) + [0] + [1, 121] + S.str("c") + S.be64(1)))
    }
}
