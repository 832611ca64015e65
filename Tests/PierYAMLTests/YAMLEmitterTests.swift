import PierYAML
import XCTest

final class YAMLEmitterTests: XCTestCase {
    func testBlockStyleInTheGivenOrder() {
        let text = YAMLEmitter.emit(.map([
            "data_dir": .string("./data"),
            "listeners": .list([.map(["port": .int(1883), "allow_anonymous": .bool(false)])]),
            "auth": .map([]),
        ]))
        XCTAssertEqual(text, "data_dir: ./data\nlisteners:\n- port: 1883\n  allow_anonymous: false\nauth: {}\n")
    }

    func testStringsThatLookLikeOtherTypesReadBackAsStrings() throws {
        let strings = ["1883", "true", "~", "", "1.5", "a: b", "- x", "#hash", "it's", "ünï"]
        let text = YAMLEmitter.emit(.list(strings.map(YAMLValue.string)))
        guard case let .sequence(items, _) = try XCTUnwrap(YAMLComposer.compose(text)) else { return XCTFail(text) }
        XCTAssertEqual(items.map { $0.scalar?.text }, strings, text)
        for item in items {
            let scalar = try XCTUnwrap(item.scalar)
            XCTAssertTrue(scalar.int == nil && scalar.bool == nil && !scalar.isNull, "\(scalar.text) in \(text)")
        }
    }
}
