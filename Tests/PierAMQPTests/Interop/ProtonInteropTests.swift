import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PierAMQP
import XCTest

/// Our client against the qpid-proton C example broker: send to a queue, receive it back.
final class ProtonInteropTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    private var broker: ProtonBroker!

    override func setUpWithError() throws {
        broker = try ProtonBroker()
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    override func tearDownWithError() throws {
        broker?.stop()
        try group?.syncShutdownGracefully()
    }

    private func message(_ i: Int, size: Int = 0) -> AMQPMessage {
        var body = ByteBuffer(string: "message-\(i)")
        if size > 0 { body.writeRepeatingByte(UInt8(truncatingIfNeeded: i), count: size) }
        return AMQPMessage(
            header: AMQPMessageHeader(durable: true, priority: 6, ttl: 60_000),
            properties: AMQPMessageProperties(messageID: .ulong(UInt64(i)), to: "q", subject: "subject-\(i)",
                                              correlationID: .string("corr-\(i)"), contentType: "text/plain",
                                              creationTime: 1_700_000_000_000 + Int64(i)),
            applicationProperties: ["index": .int(Int32(i)), "site": "edge-1"],
            body: .data([body]))
    }

    /// Sends `count` messages to `queue`, then receives them back and accepts each.
    private func roundTrip(connection: AMQPConnection, sendingConnection: AMQPConnection? = nil, queue: String, count: Int, size: Int = 0) throws {
        let sender = try (sendingConnection ?? connection).openSender(address: queue).wait()
        let outcomes = try EventLoopFuture.whenAllSucceed((0..<count).map { sender.send(message($0, size: size)) },
                                                          on: connection.eventLoop).wait()
        XCTAssertEqual(outcomes, Array(repeating: .accepted, count: count))

        let received = NIOLockedValueBox<[AMQPIncomingDelivery]>([])
        let done = connection.eventLoop.makePromise(of: Void.self)
        let receiverBox = NIOLockedValueBox<AMQPReceiver?>(nil)
        let receiver = try connection.openReceiver(address: queue, credit: 10) { delivery in
            let total = received.withLockedValue { list -> Int in
                list.append(delivery)
                return list.count
            }
            if !delivery.settled, let receiver = receiverBox.withLockedValue({ $0 }) { receiver.accept(delivery) }
            if total == count { done.succeed() }
        }.wait()
        receiverBox.withLockedValue { $0 = receiver }
        try done.futureResult.wait(timeout: .seconds(60), "receiving \(count) messages from \(queue)")
        let deliveries = received.withLockedValue { $0 }
        XCTAssertEqual(deliveries.count, count)
        for (i, delivery) in deliveries.enumerated() {
            XCTAssertEqual(delivery.message, message(i, size: size), "message \(i)")
        }
        try receiver.close().wait()
        try sender.close().wait()
    }

    func testSendAndReceiveWithoutSASL() throws {
        let connection = try AMQPConnection.connect(host: "127.0.0.1", port: broker.port, containerID: "pier-test", group: group).wait()
        // The broker grants only 5 credits at a time, so 200 messages exercise credit replenishment.
        try roundTrip(connection: connection, queue: "pier-queue-1", count: 200)
        try connection.close().wait()
        XCTAssertNil(try connection.closeFuture.wait())
    }

    func testSASLAnonymousAndMultiFrameMessages() throws {
        // The example broker reassembles a multi-frame incoming message wrongly (broker.c calls
        // pn_link_recv into the start of its buffer each time), so messages go in as one 1 MB frame
        // and come back out to a receiver that allows only 4 KB frames: ~25 frames per message.
        let big = AMQPConnectionConfiguration(containerID: "pier-test-sasl-send", sasl: .anonymous, maxFrameSize: 1 << 20)
        let small = AMQPConnectionConfiguration(containerID: "pier-test-sasl", sasl: .anonymous, maxFrameSize: 4096)
        let sending = try AMQPConnection.connect(host: "127.0.0.1", port: broker.port, configuration: big, group: group).wait()
        let connection = try AMQPConnection.connect(host: "127.0.0.1", port: broker.port, configuration: small, group: group).wait()
        try roundTrip(connection: connection, sendingConnection: sending, queue: "pier-queue-big", count: 10, size: 100_000)
        try connection.close().wait()
        try sending.close().wait()
    }

    func testBrokerKillIsReportedAsConnectionLost() throws {
        let lost = group.next().makePromise(of: AMQPConnectionError.self)
        let connection = try AMQPConnection.connect(host: "127.0.0.1", port: broker.port, containerID: "pier-test-kill", group: group,
                                                    onConnectionLost: { lost.succeed($0) }).wait()
        let sender = try connection.openSender(address: "pier-queue-kill").wait()
        XCTAssertEqual(try sender.send(message(1)).wait(), .accepted)
        broker.stop()
        XCTAssertEqual(try lost.futureResult.wait(), .connectionLost)
        XCTAssertThrowsError(try sender.send(message(2)).wait())
    }
}
