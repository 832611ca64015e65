import XCTest

final class PierServerTestsPlaceholder: XCTestCase {}
