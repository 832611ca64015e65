import XCTest

final class PierCoreTestsPlaceholder: XCTestCase {}
