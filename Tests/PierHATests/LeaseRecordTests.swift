import XCTest

@testable import PierHA

final class LeaseRecordTests: XCTestCase {
    static let holder = ProcessIdentity(pid: 4242, startTicks: 123_456, pidNamespace: 4_026_531_836,
                                        bootID: "3b17ebfe-1d46-4b91-8e79-c82b12a80801", host: "gw-1")
    static let record = LeaseRecord(state: .active, owner: 0xdead_beef_0000_0001, epoch: 7, sequence: 99, holder: holder,
                                    renewedMillis: 1_796_149_775_417, leaseMillis: 100, timeoutMillis: 1000)

    func testRoundTripsThroughOneFixedSizeLine() {
        let bytes = Self.record.encoded()
        XCTAssertEqual(bytes.count, LeaseRecord.encodedSize)
        XCTAssertEqual(bytes.last, 0x0A)
        XCTAssertEqual(LeaseRecord.decode(bytes), Self.record)
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("pier-lease 1 state=active owner=deadbeef00000001 epoch=7 seq=99 pid=4242 "), text)
        var released = Self.record
        released.state = .released
        XCTAssertEqual(LeaseRecord.decode(released.encoded())?.state, .released)
    }

    func testAnythingButAnIntactRecordIsUnreadable() {
        let good = Self.record.encoded()
        var flipped = good
        flipped[40] ^= 0x01
        XCTAssertNil(LeaseRecord.decode(flipped), "checksum must catch a changed byte")
        XCTAssertNil(LeaseRecord.decode(Array(good.prefix(100))), "a torn read has no newline")
        XCTAssertNil(LeaseRecord.decode([]))
        XCTAssertNil(LeaseRecord.decode(Array("hello world\n".utf8)))
        // Right checksum, wrong magic: a file that is not Pier's.
        let foreign = Array("other-lease 1 state=active".utf8)
        XCTAssertNil(LeaseRecord.decode(foreign + Array(" crc=00000000\n".utf8)))
    }

    func testReadingTheFileTellsMissingFromDamaged() throws {
        let dir = NSTemporaryDirectory() + "pier-lease-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/pier.lease"
        XCTAssertEqual(try LeaseFile.read(path), .missing)
        try LeaseFile.write(Self.record, to: path)
        XCTAssertEqual(try LeaseFile.read(path), .record(Self.record))
        try Data("garbage\n".utf8).write(to: URL(fileURLWithPath: path))
        guard case .unreadable = try LeaseFile.read(path) else { return XCTFail("garbage must read as unreadable") }
    }
}
