import PierYAML
import XCTest

final class YAMLTreeDecoderTests: XCTestCase {
    private struct Sample: Decodable, Equatable {
        var name: String
        var port: Int
        var enabled: Bool
        var tags: [String]
        var ratio: Double?
    }

    private func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try YAMLTreeDecoder.decode(type, from: XCTUnwrap(YAMLComposer.compose(text)))
    }

    func testSynthesizedDecodable() throws {
        let sample = try decode(Sample.self, "name: a\nport: 0x10\nenabled: yes\ntags: [x, 'y']\nratio: ~\n")
        XCTAssertEqual(sample, Sample(name: "a", port: 16, enabled: true, tags: ["x", "y"], ratio: nil))
    }

    func testMismatchesNameThePathAndWhatWasWritten() {
        XCTAssertThrowsError(try decode(Sample.self, "name: a\nport: '80'\nenabled: true\ntags: []\n")) { error in
            guard case let .typeMismatch(_, context) = error as? DecodingError else { return XCTFail("\(error)") }
            XCTAssertEqual(context.codingPath.map(\.stringValue), ["port"])
            XCTAssertEqual(context.debugDescription, #"expected an integer, got "80""#)
        }
        XCTAssertThrowsError(try decode([String].self, "- a\n- [b]\n")) { error in
            guard case let .typeMismatch(_, context) = error as? DecodingError else { return XCTFail("\(error)") }
            XCTAssertEqual(context.codingPath.map(\.intValue), [1])
            XCTAssertEqual(context.debugDescription, "expected a string, got a list")
        }
    }
}
