import PierAdminModel
import NIOCore
import PierCore
import XCTest

@testable import PierAdmin

final class AdminDocumentStreamsTests: XCTestCase {
    private func tail(_ payload: [UInt8], retain: Bool = false) -> AdminDocument.TailMessage {
        let m = Message(destination: .topic("s/1"), payload: ByteBuffer(bytes: payload), qos: .atLeastOnce, retain: retain)
        return AdminDocument.TailMessage(Delivery(message: m, qos: .atMostOnce, retain: retain), time: 7)
    }

    func testTextPayloadsAreText() {
        let t = tail(Array("21.5 °C".utf8), retain: true)
        XCTAssertEqual(t.payload, "21.5 °C")
        XCTAssertNil(t.payloadBase64)
        XCTAssertEqual(t.qos, 1, "the publish QoS, not the tail's")
        XCTAssertTrue(t.retain)
        XCTAssertEqual(t.topic, "s/1")
        XCTAssertFalse(t.truncated)
    }

    func testBinaryPayloadsAreBase64() {
        let t = tail([0xff, 0x00, 0xfe])
        XCTAssertNil(t.payload)
        XCTAssertEqual(t.payloadBase64, "/wD+")
    }

    func testBigPayloadsAreCutAtACharacterBoundary() {
        let max = AdminDocument.TailMessage.maxPayloadBytes
        // "é" is two bytes; one byte of padding puts a character across the cut.
        let text = "x" + String(repeating: "é", count: max)
        let t = tail(Array(text.utf8))
        XCTAssertTrue(t.truncated)
        XCTAssertEqual(t.bytes, text.utf8.count)
        XCTAssertEqual(t.payload?.utf8.count, max - 1)
    }

    func testALogRecordEncodesWithTheAPIsKeys() {
        let r = AdminDocument.LogRecord(time: 1, level: "info", label: "pier", message: "hi", source: "PierServer", metadata: ["k": "v"])
        XCTAssertEqual(ServerSentEvent.json(r),
                       #"data: {"label":"pier","level":"info","message":"hi","metadata":{"k":"v"},"source":"PierServer","time":1}"# + "\n\n")
    }
}
