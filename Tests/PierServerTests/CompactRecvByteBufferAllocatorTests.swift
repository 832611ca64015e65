import NIOCore
import PierTransport
import XCTest

final class CompactRecvByteBufferAllocatorTests: XCTestCase {
    /// Small enough for an existential's inline buffer, so a channel keeps it without a heap box.
    func testFitsInline() {
        XCTAssertLessThanOrEqual(MemoryLayout<CompactRecvByteBufferAllocator>.size, 3 * MemoryLayout<Int>.size)
    }

    /// The same buffer sizes as NIO's adaptive allocator for any sequence of reads.
    func testSizesMatchNIOsAdaptiveAllocator() {
        for (minimum, initial, maximum) in [(64, 128, 65_536), (2, 4, 8), (64, 2048, 65_536), (100, 1000, 10_000)] {
            var compact = CompactRecvByteBufferAllocator(minimum: minimum, initial: initial, maximum: maximum)
            var adaptive = AdaptiveRecvByteBufferAllocator(minimum: minimum, initial: initial, maximum: maximum)
            var rng = SystemRandomNumberGenerator()
            for step in 0..<5000 {
                XCTAssertEqual(compact.nextBufferSize(), adaptive.nextBufferSize(), "\(minimum)/\(initial)/\(maximum) step \(step)")
                XCTAssertEqual(compact.buffer(allocator: ByteBufferAllocator()).capacity,
                               adaptive.buffer(allocator: ByteBufferAllocator()).capacity)
                let size = adaptive.nextBufferSize() ?? 0
                // Mostly full or mostly small reads, so the size walks up and down its whole range.
                let read = Bool.random(using: &rng) ? size : Int.random(in: 0...max(0, size / 3), using: &rng)
                XCTAssertEqual(compact.record(actualReadBytes: read), adaptive.record(actualReadBytes: read))
            }
        }
    }
}
