import NIOCore
import XCTest
@testable import PierOpenWire

/// The first frame of each side, as the capture has it, and one Pier builds.
final class OpenWireWireFormatInfoTests: XCTestCase {
    private typealias S = OpenWireCodecTestSupport

    func testClientAndBrokerWireFormatInfo() throws {
        guard case .wireFormatInfo(let client) = try S.fixture("basic-c0-c2b-0000-t1-WireFormatInfo") else { return XCTFail() }
        XCTAssertEqual(client.version, 12)
        let settings = try XCTUnwrap(try client.properties())
        typealias K = OpenWireWireFormatInfo.Key
        XCTAssertEqual(settings.bool(K.tightEncodingEnabled), false)
        XCTAssertEqual(settings.bool(K.cacheEnabled), false)
        XCTAssertEqual(settings.bool(K.stackTraceEnabled), true)
        XCTAssertEqual(settings.bool(K.sizePrefixDisabled), false)
        XCTAssertEqual(settings[K.cacheSize], .int(1024))
        XCTAssertEqual(settings[K.maxInactivityDuration], .long(30000))
        XCTAssertEqual(settings[K.maxInactivityDurationInitialDelay], .long(10000))
        XCTAssertEqual(settings[K.maxFrameSize], .long(Int64.max))
        XCTAssertEqual(settings.bool(K.maxFrameSizeEnabled), true)
        XCTAssertEqual(settings.string(K.providerName), "ActiveMQ")
        XCTAssertEqual(settings.string(K.providerVersion), "5.17.2")
        XCTAssertEqual(settings.string(K.host), "127.0.0.1")

        guard case .wireFormatInfo(let broker) = try S.fixture("basic-c0-b2c-0000-t1-WireFormatInfo") else { return XCTFail() }
        let brokerSettings = try XCTUnwrap(try broker.properties())
        XCTAssertNil(brokerSettings[K.host])
        XCTAssertEqual(brokerSettings.string(K.platformDetails), "Java")
    }

    func testPierWireFormatInfo() throws {
        let info = try OpenWireWireFormatInfo(version: 12, properties: [
            OpenWireWireFormatInfo.Key.tightEncodingEnabled: .bool(false),
            OpenWireWireFormatInfo.Key.cacheEnabled: .bool(false),
        ])
        let bytes = S.frame(.wireFormatInfo(info), options: OpenWireFormatOptions())
        // Type, magic, version, then the properties as a byte sequence; no commandId.
        XCTAssertEqual(Array(bytes[4..<17]), [1] + Array("ActiveMQ".utf8) + S.be32(12))
        XCTAssertEqual(bytes[17], 1)
        XCTAssertEqual(try S.decode(bytes, options: OpenWireFormatOptions()), .wireFormatInfo(info))
        let empty = OpenWireWireFormatInfo(version: 1, marshalledProperties: nil)
        XCTAssertEqual(S.frame(.wireFormatInfo(empty)), S.framed([1] + Array("ActiveMQ".utf8) + S.be32(1) + [0]))
        XCTAssertNil(try empty.properties())
    }

    func testOtherCapturedFramesCarryWhatTheClientDid() throws {
        // An ExceptionResponse with its Java stack trace (StackTraceEnabled was negotiated).
        guard case .response(let response) = try S.fixture("errors-c0-b2c-0006-t31-ExceptionResponse"),
              case .exception(let exception?) = response.payload else { return XCTFail() }
        XCTAssertNotNil(exception.className)
        XCTAssertFalse(exception.stackTrace.isEmpty)
        // A ConnectionError for a refused login.
        guard case .connectionError(let error) = try S.fixture("security-c1-b2c-0008-t16-ConnectionError") else { return XCTFail() }
        XCTAssertNotNil(error.exception?.className)
        // XA: the transaction id of a TransactionInfo, and recover's answer as a DataArrayResponse of Xids.
        guard case .transactionInfo(let xa) = try S.fixture("xa-c0-c2b-0005-t7-TransactionInfo") else { return XCTFail() }
        XCTAssertEqual(xa.transactionId?.isXA, true)
        guard case .response(let recovered) = try S.fixture("xa-c0-b2c-0015-t33-DataArrayResponse"),
              case .dataArray(let xids?) = recovered.payload else { return XCTFail() }
        XCTAssertTrue(xids.allSatisfy { if case .transactionId(let id)? = $0 { return id.isXA } else { return false } })
        // An advisory: the dispatched message carries the ConsumerInfo it is about.
        let advisory = try S.fixtureMessage("advisory-c0-b2c-0005-t21-MessageDispatch")
        XCTAssertEqual(advisory.destination?.kind, .topic)
        XCTAssertTrue(advisory.destination?.physicalName?.hasPrefix("ActiveMQ.Advisory.") ?? false)
        XCTAssertNotNil(advisory.dataStructure)
    }
}
