/// Where a scanner reads a segment's bytes: a file, or memory (the fuzz target and tests).
public protocol SegmentByteSource {
    var size: Int64 { get }
    /// Fills `buffer` from `offset`, returning fewer bytes only at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(StoreError) -> Int
}

/// A segment held in memory.
public struct MemoryByteSource: SegmentByteSource {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var size: Int64 { Int64(bytes.count) }

    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(StoreError) -> Int {
        guard offset >= 0, offset < Int64(bytes.count) else { return 0 }
        let n = min(buffer.count, bytes.count - Int(offset))
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + Int(offset), byteCount: n)
        }
        return n
    }
}

struct FileByteSource: SegmentByteSource {
    let file: StoreFile
    let size: Int64

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(StoreError) -> Int {
        try file.read(into: buffer, at: offset)
    }
}
