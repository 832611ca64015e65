import XCTest

final class PierAuthTestsPlaceholder: XCTestCase {}
