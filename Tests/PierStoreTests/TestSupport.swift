import Foundation
import NIOCore
import XCTest

@testable import PierStore

/// A fresh directory under /tmp, removed by `cleanup()`.
final class TempDirectory {
    let path: String

    init(_ label: String = "pierstore") {
        var template = Array("/tmp/\(label)-XXXXXX".utf8CString)
        let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = String(cString: p!)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    func write(_ bytes: [UInt8], to name: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: file(name)))
    }

    func read(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: file(name))))
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }

    func names() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }

    func truncate(_ name: String, to length: Int) {
        XCTAssertEqual(Glibc.truncate(file(name), off_t(length)), 0)
    }
}

func record(_ i: Int, size: Int = 24) -> [UInt8] {
    var bytes = Array("record-\(i)-".utf8)
    while bytes.count < size { bytes.append(UInt8(truncatingIfNeeded: i &* 31 &+ bytes.count)) }
    return Array(bytes.prefix(max(size, 0)))
}

func options(
    fsync: FsyncPolicy = .never, segmentMaxBytes: Int64 = 64 << 20, repair: Bool = false
) -> SegmentLogOptions {
    var o = SegmentLogOptions()
    o.fsync = fsync
    o.segmentMaxBytes = segmentMaxBytes
    o.repair = repair
    return o
}

/// A segment built directly from batches, so tests control batch boundaries exactly.
struct SegmentImage {
    var bytes: [UInt8] = []
    /// Start position of each batch.
    var batchStarts: [Int] = []
    var nextOffset: UInt64 = 0

    mutating func add(_ records: [[UInt8]]) {
        batchStarts.append(bytes.count)
        bytes += RecordBatch.encode(records, baseOffset: nextOffset, firstTimestamp: 1, lastTimestamp: 2)
        nextOffset += UInt64(records.count)
    }

    static func make(batches: Int, recordsPerBatch: Int, from: UInt64 = 0) -> SegmentImage {
        var image = SegmentImage(nextOffset: from)
        for b in 0..<batches {
            image.add((0..<recordsPerBatch).map { record(b * recordsPerBatch + $0) })
        }
        return image
    }
}

extension LogRecord {
    var string: String { String(decoding: bytes, as: UTF8.self) }
}

func readAll(_ log: SegmentLog, from offset: UInt64 = 0) throws -> [LogRecord] {
    try log.read(from: offset)
}
