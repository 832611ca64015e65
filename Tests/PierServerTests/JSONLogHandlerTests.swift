import Foundation
import Logging
import NIOConcurrencyHelpers
import XCTest
@testable import PierServer

final class JSONLogHandlerTests: XCTestCase {
    private func capture(_ body: (inout Logger) -> Void) throws -> [[String: Any]] {
        let lines = NIOLockedValueBox<[String]>([])
        var handler = JSONLogHandler(label: "pier.test") { line in lines.withLockedValue { $0.append(line) } }
        handler.logLevel = .debug
        var logger = Logger(label: "pier.test", factory: { _ in handler })
        body(&logger)
        return try lines.withLockedValue { $0 }.map { line in
            XCTAssertTrue(line.hasSuffix("}\n"), "one object per line: \(line)")
            XCTAssertEqual(line.filter { $0 == "\n" }.count, 1)
            return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    func testOneObjectPerEventWithMetadataAsKeys() throws {
        let objects = try capture { logger in
            logger[metadataKey: "listener"] = "mqtt-1883"
            logger.info("client connected", metadata: ["client": "gw-1", "tags": ["a", "b"], "sub": ["k": "v"]])
            logger.trace("not at debug level")
            logger.warning("quote \" backslash \\ newline \n tab \t bell \u{07} é ✓")
        }
        XCTAssertEqual(objects.count, 2)
        let first = objects[0]
        XCTAssertEqual(first["level"] as? String, "info")
        XCTAssertEqual(first["logger"] as? String, "pier.test")
        XCTAssertEqual(first["msg"] as? String, "client connected")
        XCTAssertEqual(first["listener"] as? String, "mqtt-1883")
        XCTAssertEqual(first["client"] as? String, "gw-1")
        XCTAssertEqual(first["tags"] as? [String], ["a", "b"])
        XCTAssertEqual(first["sub"] as? [String: String], ["k": "v"])
        XCTAssertEqual(objects[1]["msg"] as? String, "quote \" backslash \\ newline \n tab \t bell \u{07} é ✓")
    }

    func testTimestampIsUTCRFC3339WithMilliseconds() throws {
        let ts = try XCTUnwrap(try capture { $0.error("x") }.first?["ts"] as? String)
        XCTAssertNotNil(ts.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#, options: .regularExpression), ts)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = try XCTUnwrap(formatter.date(from: ts))
        XCTAssertLessThan(abs(date.timeIntervalSinceNow), 60)
    }

    func testMetadataCannotOverwriteTheFixedKeys() throws {
        let object = try XCTUnwrap(try capture { $0.info("real", metadata: ["msg": "fake", "level": "fake"]) }.first)
        XCTAssertEqual(object["msg"] as? String, "real")
        XCTAssertEqual(object["level"] as? String, "info")
    }
}
