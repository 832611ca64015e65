import NIOConcurrencyHelpers
import XCTest

@testable import PierOpenWire

final class OpenWireProducerAuditTests: XCTestCase {
    private func id(connection: String = "ID:host-1:1", session: Int64 = 1, producer: Int64 = 1, _ seq: Int64) -> OpenWireMessageId {
        OpenWireMessageId(producerId: OpenWireProducerId(connectionId: connection, sessionId: session, value: producer),
                          producerSequenceId: seq)
    }

    func testAResendOfAStoredSequenceIsADuplicateAndTheNextOneIsNot() {
        var audit = OpenWireProducerAudit()
        XCTAssertFalse(audit.isDuplicate(id(1)))
        audit.record(id(1))
        audit.record(id(2))
        XCTAssertTrue(audit.isDuplicate(id(2)), "the failover transport's replay of the in-flight send")
        XCTAssertTrue(audit.isDuplicate(id(1)))
        XCTAssertFalse(audit.isDuplicate(id(3)))
    }

    func testProducersAreTrackedApartBySessionAndValue() {
        var audit = OpenWireProducerAudit()
        audit.record(id(session: 1, producer: 1, 5))
        XCTAssertFalse(audit.isDuplicate(id(session: 1, producer: 2, 5)))
        XCTAssertFalse(audit.isDuplicate(id(session: 2, producer: 1, 5)))
        XCTAssertFalse(audit.isDuplicate(id(connection: "ID:other-1:1", 5)))
        XCTAssertTrue(audit.isDuplicate(id(session: 1, producer: 1, 4)))
    }

    func testRecordingAnOlderSequenceKeepsTheHighest() {
        var audit = OpenWireProducerAudit()
        audit.record(id(7))
        audit.record(id(3))
        XCTAssertTrue(audit.isDuplicate(id(7)))
        XCTAssertFalse(audit.isDuplicate(id(8)))
    }

    func testIdsWithoutAProducerOrWithATextViewAreNeverDuplicates() {
        var audit = OpenWireProducerAudit()
        let text = OpenWireMessageId(textView: "ID:foreign", producerId: nil, producerSequenceId: 1)
        audit.record(text)
        XCTAssertFalse(audit.isDuplicate(text))
        XCTAssertEqual(audit.count, 0)
    }

    func testTheOldestProducersAreForgottenBeyondTheCapacity() {
        var audit = OpenWireProducerAudit(capacity: 2)
        for p in 1...5 { audit.record(id(producer: Int64(p), 10)) }
        XCTAssertEqual(audit.count, 2)
        XCTAssertFalse(audit.isDuplicate(id(producer: 1, 10)))
        XCTAssertTrue(audit.isDuplicate(id(producer: 4, 10)))
        XCTAssertTrue(audit.isDuplicate(id(producer: 5, 10)))
    }
}

final class OpenWireBrokerStateSendAuditTests: XCTestCase {
    private func id(_ seq: Int64) -> OpenWireMessageId {
        OpenWireMessageId(producerId: OpenWireProducerId(connectionId: "ID:host-1:1", sessionId: 1, value: 1), producerSequenceId: seq)
    }

    func testTheAuditIsSeededFromTheStoredMessagesOnce() {
        let state = OpenWireBrokerState()
        var seeds = 0
        let seed = { () -> [OpenWireMessageId] in seeds += 1; return [self.id(4)] }
        XCTAssertEqual(state.beginSend(id(4), stored: seed, waiter: { { _ in } }), .stored, "stored by the previous active")
        XCTAssertEqual(state.beginSend(id(5), stored: seed, waiter: { { _ in } }), .fresh)
        XCTAssertEqual(seeds, 1)
    }

    func testAResendWhileTheFirstCopyIsBeingStoredWaitsForItsOutcome() {
        let state = OpenWireBrokerState()
        let heard = NIOLockedValueBox<[String?]>([])
        XCTAssertEqual(state.beginSend(id(1), stored: { [] }, waiter: { { _ in } }), .fresh)
        XCTAssertEqual(state.beginSend(id(1), stored: { [] }, waiter: { { f in heard.withLockedValue { $0.append(f) } } }), .waiting)
        XCTAssertEqual(heard.withLockedValue { $0 }.count, 0)
        state.finishSend(id(1), failure: nil)
        XCTAssertEqual(heard.withLockedValue { $0 }, [nil])
        XCTAssertEqual(state.beginSend(id(1), stored: { [] }, waiter: { { _ in } }), .stored)
    }

    func testAFailedStoreIsNotRecordedAndItsWaitersHearTheFailure() {
        let state = OpenWireBrokerState()
        let heard = NIOLockedValueBox<[String?]>([])
        XCTAssertEqual(state.beginSend(id(1), stored: { [] }, waiter: { { _ in } }), .fresh)
        XCTAssertEqual(state.beginSend(id(1), stored: { [] }, waiter: { { f in heard.withLockedValue { $0.append(f) } } }), .waiting)
        state.finishSend(id(1), failure: "disk full")
        XCTAssertEqual(heard.withLockedValue { $0 }, ["disk full"])
        XCTAssertEqual(state.beginSend(id(1), stored: { [] }, waiter: { { _ in } }), .fresh, "the client's retry is stored")
    }
}
