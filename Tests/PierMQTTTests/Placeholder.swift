import XCTest

final class PierMQTTTestsPlaceholder: XCTestCase {}
