import XCTest

final class PierInteropTestsPlaceholder: XCTestCase {}
