import Dispatch
import NIOConcurrencyHelpers
import NIOCore
import XCTest

@testable import PierStore

final class GroupCommitterTests: XCTestCase {
    func testConcurrentAppendersGetUniqueIncreasingOffsetsInSharedBatches() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let log = try SegmentLog(directory: dir.path, options: options(fsync: .always))
        let threads = 8
        let perThread = 500
        // offsets[thread] in completion order; calls counts callbacks per (thread, i).
        let offsets = NIOLockedValueBox([[UInt64]](repeating: [], count: threads))
        let calls = NIOLockedValueBox([Int](repeating: 0, count: threads * perThread))
        let failures = NIOLockedValueBox(0)
        let group = DispatchGroup()
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for i in 0..<perThread {
                group.enter()
                let payload = ByteBuffer(bytes: Array("t\(t)-\(i)".utf8))
                log.append(payload) { result in
                    guard case .success(let offset) = result else {
                        failures.withLockedValue { $0 += 1 }
                        group.leave()
                        return
                    }
                    offsets.withLockedValue { $0[t].append(offset) }
                    calls.withLockedValue { $0[t * perThread + i] += 1 }
                    group.leave()
                }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        log.close()
        XCTAssertEqual(failures.withLockedValue { $0 }, 0)
        XCTAssertTrue(calls.withLockedValue { $0 }.allSatisfy { $0 == 1 })
        let all = offsets.withLockedValue { $0 }
        let flat = all.flatMap { $0 }
        XCTAssertEqual(Set(flat).count, threads * perThread)
        XCTAssertEqual(flat.max(), UInt64(threads * perThread - 1))
        for perProducer in all { XCTAssertEqual(perProducer, perProducer.sorted(), "one producer's offsets go up") }
        let stats = log.commitStats
        XCTAssertEqual(stats.records, threads * perThread)
        XCTAssertGreaterThan(Double(stats.records) / Double(stats.batches), 1, "\(stats)")
        XCTAssertLessThanOrEqual(stats.syncs, stats.commits)

        // And the log holds exactly what each producer sent, in its order.
        let reopened = try SegmentLog(directory: dir.path, options: options())
        defer { reopened.close() }
        var seen = [Int](repeating: 0, count: threads)
        for r in try reopened.read(from: 0) {
            let parts = r.string.dropFirst().split(separator: "-").map { Int($0)! }
            XCTAssertEqual(parts[1], seen[parts[0]])
            seen[parts[0]] += 1
        }
        XCTAssertEqual(seen, [Int](repeating: perThread, count: threads))
    }

    func testCallbackMayAppendAgain() throws {
        // A producer that appends from its own commit callback (the broker's pattern on an event loop).
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let log = try SegmentLog(directory: dir.path, options: options(fsync: .always))
        defer { log.close() }
        let done = DispatchSemaphore(value: 0)
        let remaining = NIOLockedValueBox(200)
        @Sendable func next() {
            log.append([1, 2, 3]) { _ in
                let left = remaining.withLockedValue { $0 -= 1; return $0 }
                if left == 0 { done.signal() } else if left > 0 { next() }
            }
        }
        for _ in 0..<10 { next() }
        XCTAssertEqual(done.wait(timeout: .now() + 30), .success)
        try log.flush()
        XCTAssertGreaterThanOrEqual(log.endOffset, 200)
    }

    func testBatchesAreSplitAtMaxBatchBytes() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        var o = options()
        o.maxBatchBytes = 1000
        let log = try SegmentLog(directory: dir.path, options: o)
        defer { log.close() }
        try log.appendAndWait(contentsOf: (0..<50).map { record($0, size: 100) })
        XCTAssertGreaterThanOrEqual(log.commitStats.batches, 5)
        XCTAssertEqual(try log.read(from: 0).map(\.bytes), (0..<50).map { record($0, size: 100) })
    }

    func testFlushSyncsUnderNeverPolicy() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let log = try SegmentLog(directory: dir.path, options: options(fsync: .never))
        defer { log.close() }
        try log.appendAndWait([1])
        XCTAssertEqual(log.commitStats.syncs, 0)
        try log.flush()
        XCTAssertEqual(log.commitStats.syncs, 1)
    }

    func testLazyAppendRidesInTheNextAwaitedCommit() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        var o = options(fsync: .always)
        // Far longer than the test: only the awaited append can commit the lazy one.
        o.lazyCommitDelayMilliseconds = 600_000
        let log = try SegmentLog(directory: dir.path, options: o)
        defer { log.close() }
        let lazy = Completion<UInt64>()
        log.append(ByteBuffer(bytes: [1]), lazy: true) { lazy.complete($0) }
        let awaited = try log.appendAndWait([2])
        XCTAssertEqual(try lazy.wait(), 0, "the lazy record keeps its place before the awaited one")
        XCTAssertEqual(awaited, 1)
        XCTAssertEqual(log.commitStats.commits, 1, "one commit, one fsync for both")
        XCTAssertEqual(log.commitStats.syncs, 1)
        XCTAssertEqual(try log.read(from: 0).map(\.bytes), [[1], [2]])
    }

    func testLazyAppendCommitsOnItsOwnWhenNothingElseComes() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        var o = options(fsync: .always)
        o.lazyCommitDelayMilliseconds = 1
        let log = try SegmentLog(directory: dir.path, options: o)
        defer { log.close() }
        let lazy = Completion<UInt64>()
        log.append(ByteBuffer(bytes: [7]), lazy: true) { lazy.complete($0) }
        XCTAssertEqual(try lazy.wait(), 0)
        XCTAssertEqual(log.commitStats.syncs, 1, "committed under the fsync policy, like any other record")
        XCTAssertEqual(try log.read(from: 0).map(\.bytes), [[7]])
    }

    func testCloseCommitsQueuedLazyAppends() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        var o = options(fsync: .always)
        o.lazyCommitDelayMilliseconds = 600_000
        let log = try SegmentLog(directory: dir.path, options: o)
        let lazy = Completion<UInt64>()
        log.append(ByteBuffer(bytes: [3]), lazy: true) { lazy.complete($0) }
        log.close()
        XCTAssertEqual(try lazy.wait(), 0)
        let reopened = try SegmentLog(directory: dir.path, options: options())
        defer { reopened.close() }
        XCTAssertEqual(try reopened.read(from: 0).map(\.bytes), [[3]])
    }
}
