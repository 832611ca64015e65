import NIOCore

/// NIO's `AdaptiveRecvByteBufferAllocator` (the same sizes, and the same rule for growing and
/// shrinking them) in 13 bytes instead of 33. A channel keeps its receive allocator in an existential,
/// whose inline buffer holds 24 bytes: NIO's own therefore lives in a heap box that the channel copies
/// for itself on its first read, a 48-byte allocation per connection that this one does not need.
public struct CompactRecvByteBufferAllocator: RecvByteBufferAllocator {
    private let minimum: UInt32
    private let maximum: UInt32
    private var next: UInt32
    private var decreaseNow = false

    /// Rounded as NIO rounds them: `minimum` and `initial` down to a power of two, `maximum` up.
    public init(minimum: Int, initial: Int, maximum: Int) {
        precondition(minimum >= 1 && initial >= minimum && maximum >= initial && maximum <= 1 << 30)
        func floorPowerOf2(_ n: Int) -> UInt32 { UInt32(1) << UInt32(Int.bitWidth - 1 - n.leadingZeroBitCount) }
        func ceilPowerOf2(_ n: Int) -> UInt32 { n <= 1 ? 1 : UInt32(1) << UInt32(Int.bitWidth - (n - 1).leadingZeroBitCount) }
        self.minimum = floorPowerOf2(minimum)
        self.maximum = ceilPowerOf2(maximum)
        self.next = floorPowerOf2(initial)
    }

    public func buffer(allocator: ByteBufferAllocator) -> ByteBuffer {
        allocator.buffer(capacity: Int(next))
    }

    public func nextBufferSize() -> Int? {
        Int(next)
    }

    /// Halves the size after two reads in a row that would have fitted in half; doubles it after a read
    /// that filled the buffer. True when the next buffer is bigger.
    public mutating func record(actualReadBytes: Int) -> Bool {
        let lower = next >> 1
        let upper = next << 1
        if actualReadBytes <= Int(lower) && lower >= minimum {
            if decreaseNow {
                next = lower
                decreaseNow = false
            } else {
                decreaseNow = true
            }
            return false
        }
        decreaseNow = false
        if actualReadBytes >= Int(next) && upper <= maximum {
            next = upper
            return true
        }
        return false
    }
}
