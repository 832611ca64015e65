import XCTest
@testable import PierCore

final class TopicTests: XCTestCase {
    // MARK: - Names

    func testValidNames() {
        for name in ["a", "a/b/c", "/", "a//b", "/leading", "trailing/", "$SYS/broker/uptime", "spaces are ok", "ünïcödé/✓"] {
            XCTAssertNil(Topic.validateName(name), name)
        }
    }

    func testInvalidNames() {
        XCTAssertEqual(Topic.validateName(""), .empty)
        XCTAssertEqual(Topic.validateName("a/\u{0}/b"), .containsNull)
        XCTAssertEqual(Topic.validateName("a/+/b"), .wildcardInName)
        XCTAssertEqual(Topic.validateName("a/#"), .wildcardInName)
        XCTAssertEqual(Topic.validateName("a+b"), .wildcardInName)
    }

    // MARK: - Filters

    func testValidFilters() {
        for filter in ["#", "+", "a", "a/b", "a/+", "a/#", "+/+/+", "+/#", "a//b", "/", "a/+/c/#", "$SYS/#", "//#"] {
            XCTAssertNil(Topic.validateFilter(filter), filter)
        }
    }

    func testInvalidFilters() {
        XCTAssertEqual(Topic.validateFilter(""), .empty)
        XCTAssertEqual(Topic.validateFilter("a/\u{0}"), .containsNull)
        XCTAssertEqual(Topic.validateFilter("a/#/b"), .misplacedWildcard)
        XCTAssertEqual(Topic.validateFilter("#/a"), .misplacedWildcard)
        XCTAssertEqual(Topic.validateFilter("a#"), .misplacedWildcard)
        XCTAssertEqual(Topic.validateFilter("a/b#"), .misplacedWildcard)
        XCTAssertEqual(Topic.validateFilter("a+/b"), .misplacedWildcard)
        XCTAssertEqual(Topic.validateFilter("a/+b"), .misplacedWildcard)
        XCTAssertEqual(Topic.validateFilter("++"), .misplacedWildcard)
        XCTAssertEqual(Topic.validateFilter("##"), .misplacedWildcard)
    }

    // MARK: - Matching

    func testExactMatch() {
        XCTAssertTrue(Topic.matches(filter: "a/b", topic: "a/b"))
        XCTAssertFalse(Topic.matches(filter: "a/b", topic: "a/c"))
        XCTAssertFalse(Topic.matches(filter: "a/b", topic: "a/b/c"))
        XCTAssertFalse(Topic.matches(filter: "a/b/c", topic: "a/b"))
        XCTAssertFalse(Topic.matches(filter: "a", topic: "A"), "matching is case sensitive")
    }

    func testMultiLevelWildcard() {
        XCTAssertTrue(Topic.matches(filter: "#", topic: "a"))
        XCTAssertTrue(Topic.matches(filter: "#", topic: "a/b/c"))
        XCTAssertTrue(Topic.matches(filter: "a/#", topic: "a/b"))
        XCTAssertTrue(Topic.matches(filter: "a/#", topic: "a/b/c/d"))
        XCTAssertTrue(Topic.matches(filter: "a/#", topic: "a"), "a/# also matches the parent level")
        XCTAssertFalse(Topic.matches(filter: "a/#", topic: "b/a"))
        XCTAssertFalse(Topic.matches(filter: "a/b/#", topic: "a"))
    }

    func testSingleLevelWildcard() {
        XCTAssertTrue(Topic.matches(filter: "a/+", topic: "a/b"))
        XCTAssertTrue(Topic.matches(filter: "+/b", topic: "a/b"))
        XCTAssertTrue(Topic.matches(filter: "+/+", topic: "a/b"))
        XCTAssertTrue(Topic.matches(filter: "+", topic: "a"))
        XCTAssertFalse(Topic.matches(filter: "a/+", topic: "a/b/c"), "+ does not cross levels")
        XCTAssertFalse(Topic.matches(filter: "a/+", topic: "a"))
        XCTAssertFalse(Topic.matches(filter: "+", topic: "a/b"))
        XCTAssertTrue(Topic.matches(filter: "a/+/c", topic: "a/b/c"))
        XCTAssertFalse(Topic.matches(filter: "a/+/c", topic: "a/b/d"))
        XCTAssertTrue(Topic.matches(filter: "+/#", topic: "a/b/c"))
    }

    func testEmptyLevels() {
        XCTAssertTrue(Topic.matches(filter: "a//b", topic: "a//b"))
        XCTAssertFalse(Topic.matches(filter: "a/b", topic: "a//b"))
        XCTAssertTrue(Topic.matches(filter: "a/+/b", topic: "a//b"), "+ matches an empty level")
        XCTAssertTrue(Topic.matches(filter: "+/a", topic: "/a"))
        XCTAssertTrue(Topic.matches(filter: "a/+", topic: "a/"))
        XCTAssertFalse(Topic.matches(filter: "a", topic: "a/"))
        XCTAssertTrue(Topic.matches(filter: "/#", topic: "/x"))
    }

    func testDollarTopicsAreNotMatchedByLeadingWildcards() {
        XCTAssertFalse(Topic.matches(filter: "#", topic: "$SYS/x"))
        XCTAssertFalse(Topic.matches(filter: "+/x", topic: "$SYS/x"))
        XCTAssertFalse(Topic.matches(filter: "+", topic: "$SYS"))
        XCTAssertTrue(Topic.matches(filter: "$SYS/#", topic: "$SYS/x"))
        XCTAssertTrue(Topic.matches(filter: "$SYS/+", topic: "$SYS/x"))
        XCTAssertTrue(Topic.matches(filter: "$SYS/x", topic: "$SYS/x"))
        XCTAssertTrue(Topic.matches(filter: "a/#", topic: "a/$b"), "only a leading $ is special")
    }

    // MARK: - Shared subscriptions

    func testParseShared() throws {
        let parsed = try XCTUnwrap(Topic.parseShared("$share/group/a/+/#"))
        XCTAssertEqual(parsed.group, "group")
        XCTAssertEqual(parsed.filter, "a/+/#")
        let single = try XCTUnwrap(Topic.parseShared("$share/g/#"))
        XCTAssertEqual(single.group, "g")
        XCTAssertEqual(single.filter, "#")
    }

    func testParseSharedRejectsOrdinaryFilters() {
        XCTAssertNil(Topic.parseShared("a/b"))
        XCTAssertNil(Topic.parseShared("$SYS/#"))
        XCTAssertNil(Topic.parseShared("$share"))
        XCTAssertNil(Topic.parseShared("$share/group"), "a share group without a filter is not shared")
        XCTAssertNil(Topic.parseShared("$sharex/g/a"))
    }

    func testValidateSharedFilter() {
        XCTAssertNil(Topic.validateSharedFilter("$share/g/a/b"))
        XCTAssertNil(Topic.validateSharedFilter("$share/g/#"))
        XCTAssertNil(Topic.validateSharedFilter("$share/g/+/x"))
        XCTAssertEqual(Topic.validateSharedFilter("$share/group"), .malformedSharedSubscription)
        XCTAssertEqual(Topic.validateSharedFilter("$share//a"), .malformedSharedSubscription)
        XCTAssertEqual(Topic.validateSharedFilter("$share/g+/a"), .malformedSharedSubscription)
        XCTAssertEqual(Topic.validateSharedFilter("$share/#/a"), .malformedSharedSubscription)
        XCTAssertEqual(Topic.validateSharedFilter("a/b"), .malformedSharedSubscription)
        XCTAssertEqual(Topic.validateSharedFilter("$share/g/"), .empty)
        XCTAssertEqual(Topic.validateSharedFilter("$share/g/a/#/b"), .misplacedWildcard)
        XCTAssertEqual(Topic.validateSharedFilter("$share/g/a\u{0}"), .containsNull)
    }

    func testLevelLimit() {
        let atLimit = Array(repeating: "a", count: Topic.maxLevels).joined(separator: "/")
        let over = atLimit + "/a"
        XCTAssertNil(Topic.validateName(atLimit))
        XCTAssertEqual(Topic.validateName(over), .tooManyLevels)
        XCTAssertNil(Topic.validateFilter(atLimit))
        XCTAssertEqual(Topic.validateFilter(over), .tooManyLevels)
        XCTAssertEqual(Topic.validateFilter(String(repeating: "/", count: 65_534)), .tooManyLevels)
        XCTAssertEqual(Topic.validateSharedFilter("$share/g/" + over), .tooManyLevels)
    }

    func testIsSystem() {
        XCTAssertTrue(Topic.isSystem("$SYS"))
        XCTAssertTrue(Topic.isSystem("$SYS/broker/uptime"))
        XCTAssertTrue(Topic.isSystem("$SYS/"))
        XCTAssertFalse(Topic.isSystem("$SYSTEM/x"))
        XCTAssertFalse(Topic.isSystem("$sys/x"))
        XCTAssertFalse(Topic.isSystem("a/$SYS"))
    }
}

extension TopicTests {
    func testCapturesGiveEachPlusLevelThenWhatHashCovered() {
        XCTAssertEqual(Topic.captures(filter: "sensors/+/temp", topic: "sensors/k7/temp"), ["k7"])
        XCTAssertEqual(Topic.captures(filter: "a/+/+/#", topic: "a/b/c/d/e"), ["b", "c", "d/e"])
        XCTAssertEqual(Topic.captures(filter: "a/#", topic: "a"), [""], "# may cover nothing")
        XCTAssertEqual(Topic.captures(filter: "a/b", topic: "a/b"), [])
        XCTAssertNil(Topic.captures(filter: "a/+", topic: "a/b/c"))
        XCTAssertNil(Topic.captures(filter: "+/x", topic: "$SYS/x"), "a leading wildcard never matches $ topics")
        XCTAssertEqual(Topic.captures(filter: "$SYS/+", topic: "$SYS/x"), ["x"])
    }

    func testMatchingIsByteForByteWithoutUnicodeNormalisation() {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        XCTAssertEqual(composed, decomposed, "Swift strings call these equal")
        XCTAssertFalse(Topic.matches(filter: "t/\(composed)", topic: "t/\(decomposed)"), "MQTT topics do not")
        XCTAssertTrue(Topic.matches(filter: "t/+", topic: "t/\(decomposed)"))
    }
}
