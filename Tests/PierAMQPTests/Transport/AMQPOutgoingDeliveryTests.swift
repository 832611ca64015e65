import NIOCore
@testable import PierAMQP
import XCTest

/// Splitting a delivery into transfer frames (shared by client and server sessions), and the
/// disposition range lookup both use.
final class AMQPOutgoingDeliveryTests: XCTestCase {
    func testASmallDeliveryIsOneFrameWithEverythingOnIt() {
        var d = AMQPOutgoingDelivery(handle: 3, deliveryID: 9, payload: ByteBuffer(string: "abc"), settled: true)
        let (t, chunk, done) = d.nextFrame(maxFrameSize: 512)
        XCTAssertTrue(done)
        XCTAssertEqual(chunk, ByteBuffer(string: "abc"))
        XCTAssertEqual([t.handle, t.deliveryID, t.messageFormat], [3, 9, 0])
        XCTAssertEqual(t.settled, true)
        XCTAssertFalse(t.more)
    }

    func testALargeDeliveryIsCutToTheFrameSizeAndOnlyTheFirstFrameNamesIt() {
        let body = ByteBuffer(repeating: 7, count: 3000)
        var d = AMQPOutgoingDelivery(handle: 1, deliveryID: 2, payload: body, settled: false)
        var joined = ByteBuffer()
        var frames = 0
        while true {
            let (t, chunk, done) = d.nextFrame(maxFrameSize: 1024)
            var encoded = ByteBuffer()
            encoded.writeAMQPFrame(.performative(.transfer(t), payload: chunk))
            XCTAssertLessThanOrEqual(encoded.readableBytes, 1024)
            XCTAssertEqual(t.deliveryID == nil, frames > 0)
            XCTAssertEqual(t.more, !done)
            var c = chunk
            joined.writeBuffer(&c)
            frames += 1
            if done { break }
        }
        XCTAssertEqual(frames, 3)
        XCTAssertEqual(joined, body)
    }

    func testRangeLookupWalksOrFiltersAcrossTheWrap() {
        let map: [UInt32: Int] = [UInt32.max - 1: 0, UInt32.max: 1, 0: 2, 1: 3, 50: 4]
        XCTAssertEqual(AMQPSequence.keys(of: map, first: UInt32.max - 1, last: 1), [UInt32.max - 1, UInt32.max, 0, 1])
        XCTAssertEqual(AMQPSequence.keys(of: map, first: 0, last: 1_000_000), [0, 1, 50])
    }
}
