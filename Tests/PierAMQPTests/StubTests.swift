import XCTest
@testable import PierAMQP
final class StubTests: XCTestCase { func testNothing() {} }
