import Foundation
import NIOHTTP1
import XCTest

@testable import PierAdmin

final class ConsoleAssetTests: XCTestCase {
    func testTheConsoleIsAtTheRootAndUnderConsole() throws {
        let index = try XCTUnwrap(ConsoleAsset.lookup(uri: "/"))
        XCTAssertEqual(index.contentType, "text/html; charset=utf-8")
        XCTAssertEqual(ConsoleAsset.lookup(uri: "/console/")?.etag, index.etag)
        XCTAssertEqual(ConsoleAsset.lookup(uri: "/?x=1")?.path, "/console/index.html")
        XCTAssertEqual(ConsoleAsset.lookup(uri: "/console/app.js")?.contentType, "text/javascript; charset=utf-8")
        XCTAssertEqual(ConsoleAsset.lookup(uri: "/console/app.css")?.contentType, "text/css; charset=utf-8")
        XCTAssertNil(ConsoleAsset.lookup(uri: "/console/missing.js"))
        XCTAssertNil(ConsoleAsset.lookup(uri: "/api/broker"))
    }

    func testAnUnchangedCopyIsNotSentAgain() throws {
        let js = try XCTUnwrap(ConsoleAsset.lookup(uri: "/console/app.js"))
        let fresh = js.response(ifNoneMatch: nil)
        XCTAssertEqual(fresh.status, .ok)
        XCTAssertEqual(fresh.body, js.body)
        XCTAssertTrue(fresh.headers.contains { $0 == ("ETag", js.etag) })
        XCTAssertEqual(js.response(ifNoneMatch: js.etag).status, .notModified)
        XCTAssertEqual(js.response(ifNoneMatch: #""other", "# + js.etag).status, .notModified)
        XCTAssertTrue(js.response(ifNoneMatch: js.etag).body.isEmpty)
        XCTAssertEqual(js.response(ifNoneMatch: #""stale""#).status, .ok)
    }

    func testETagsFollowTheContent() {
        let a = ConsoleAsset(path: "/a", contentType: "text/plain", body: Array("a".utf8))
        let b = ConsoleAsset(path: "/a", contentType: "text/plain", body: Array("b".utf8))
        XCTAssertNotEqual(a.etag, b.etag)
        XCTAssertEqual(a.etag.count, 18)
    }

    /// What is served is exactly `Console/`'s files, compiled in (no copy that could go stale).
    func testTheEmbeddedFilesAreTheSources() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/PierAdmin/Console")
        for name in ["index.html", "app.js", "app.css"] {
            let source = try Data(contentsOf: dir.appendingPathComponent(name))
            let embedded = try XCTUnwrap(ConsoleAsset.lookup(uri: "/console/" + name))
            XCTAssertEqual(embedded.body, Array(source), name)
        }
    }

    func testTheConsoleStaysSmall() {
        XCTAssertLessThan(ConsoleAsset.totalBytes, 48 * 1024)
    }
}
