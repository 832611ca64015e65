import PierYAML
import XCTest

final class YAMLComposerTests: XCTestCase {
    func testEmptyAndCommentOnlyStreamsHaveNoDocument() throws {
        for text in ["", "# only a comment\n", "\n\n"] {
            XCTAssertNil(try YAMLComposer.compose(text), text.debugDescription)
        }
    }

    func testMappingsKeepOrderAndMarks() throws {
        let node = try XCTUnwrap(YAMLComposer.compose("a: 1\nb:\n  - x\n  - 'y'\n"))
        guard case let .mapping(pairs, mark) = node else { return XCTFail("\(node)") }
        XCTAssertEqual(mark, YAMLMark(line: 1, column: 1))
        XCTAssertEqual(pairs.map { $0.key.scalar?.text }, ["a", "b"])
        guard case let .sequence(items, listMark) = pairs[1].value else { return XCTFail("\(pairs[1].value)") }
        XCTAssertEqual(listMark, YAMLMark(line: 3, column: 3))
        XCTAssertEqual(items.map { $0.scalar?.text }, ["x", "y"])
        XCTAssertEqual(items.map { $0.scalar?.isPlain }, [true, false])
        XCTAssertEqual(items[1].mark, YAMLMark(line: 4, column: 5))
    }

    func testAliasesResolveToTheAnchoredNode() throws {
        let node = try XCTUnwrap(YAMLComposer.compose("a: &p 0x75b\nb: *p\n"))
        XCTAssertEqual(node.mergedPairs?.map { $0.value.scalar?.int }, [1883, 1883])
    }

    func testMergeKeysFillInWhatTheMappingLacks() throws {
        let node = try XCTUnwrap(YAMLComposer.compose("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n"))
        let use = try XCTUnwrap(node.mergedPairs?.last?.value.mergedPairs)
        XCTAssertEqual(use.map { $0.key.scalar?.text }, ["y", "x"])
        XCTAssertEqual(use.map { $0.value.scalar?.int }, [3, 1])
    }

    func testSyntaxErrorsCarryLibyamlWordingAndPosition() {
        XCTAssertThrowsError(try YAMLComposer.compose("limits:\n  max_inflight: 5\n bad: [\n")) { error in
            XCTAssertEqual(error as? YAMLSyntaxError, YAMLSyntaxError(
                .malformed(problem: "while parsing a block mapping: did not find expected key"), line: 3, column: 2))
        }
    }

    func testDuplicateKeysPointAtTheFirstOccurrence() {
        XCTAssertThrowsError(try YAMLComposer.compose("top:\n  b: 1\n  a: 2\n  b: 3\n  a: 4\n")) { error in
            XCTAssertEqual(error as? YAMLSyntaxError, YAMLSyntaxError(.duplicateKeys(["a", "b"]), line: 3, column: 3))
        }
    }

    func testUndefinedAliasAndSecondDocumentAreRefused() {
        XCTAssertThrowsError(try YAMLComposer.compose("a: *nope\n")) { error in
            XCTAssertEqual(error as? YAMLSyntaxError, YAMLSyntaxError(
                .malformed(problem: "found undefined alias"), line: 1, column: 4))
        }
        XCTAssertThrowsError(try YAMLComposer.compose("a: 1\n---\nb: 2\n")) { error in
            XCTAssertEqual((error as? YAMLSyntaxError)?.line, 2)
        }
    }
}
