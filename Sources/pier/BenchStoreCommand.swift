import ArgumentParser
import Dispatch
import NIOConcurrencyHelpers
import NIOCore
import PierStore

#if canImport(Glibc)
import Glibc
#endif

/// `pier bench-store`: append, group-commit, replay and compression numbers for the segment log.
struct BenchStoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-store",
        abstract: "Benchmark the segment log (append, fsync policies, group commit, replay, LZ4 ratio).")

    @Option(help: "Parent directory for the temporary benchmark logs.")
    var dir = "/tmp"

    @Option(help: "Records per throughput run.")
    var records = 2_000_000

    @Option(help: "Seconds per fsync=always run.")
    var seconds = 3.0

    func run() throws {
        var template = Array("\(dir)/pier-bench-store-XXXXXX".utf8CString)
        guard let p = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw ValidationError("cannot create a directory under \(dir)")
        }
        let root = String(cString: p)
        defer { _ = system("rm -rf '\(root)'") }
        print("pier bench-store: \(records) records per throughput run, \(seconds)s per fsync=always run, in \(root)\n")

        var rows = [["run", "records/s", "MB/s (payload)", "records/fsync", "notes"]]
        let small = SensorJSON.payloads(count: 4096, size: 100)
        let large = SensorJSON.payloads(count: 1024, size: 1024)

        let never100 = try openLoop(root + "/never-100", .never, small, records)
        rows.append(never100.row("append 100 B, fsync never"))
        let never1k = try openLoop(root + "/never-1k", .never, large, records / 5)
        rows.append(never1k.row("append 1 KB, fsync never"))
        let interval = try openLoop(root + "/interval-100", .interval(milliseconds: 10), small, records)
        rows.append(interval.row("append 100 B, fsync interval 10 ms"))
        for producers in [1, 100] {
            let r = try closedLoop(root + "/always-\(producers)", producers: producers, small)
            rows.append(r.row("fsync always, \(producers) producer(s), 100 B", "each waits for its commit"))
        }
        let replay = try replaySpeed(root + "/never-100")
        rows.append(contentsOf: replay)
        printTable(rows)

        print("\nLZ4 compression (one batch of 1000 records):")
        var ratios = [["payload", "uncompressed", "stored", "ratio"]]
        for (name, payloads) in [
            ("sensor JSON telemetry", SensorJSON.payloads(count: 1000, size: nil)),
            ("sensor JSON, 1 KB gateway arrays", SensorJSON.payloads(count: 1000, size: 1024)),
            ("random bytes, 100 B", SensorJSON.random(count: 1000, size: 100)),
        ] {
            let bytes = RecordBatch.encode(payloads, baseOffset: 0)
            let h = try RecordBatch.decode(bytes).header
            ratios.append([name, "\(h.uncompressedSize)", "\(bytes.count)",
                           fixed(Double(h.uncompressedSize) / Double(bytes.count), 2) + "x"])
        }
        printTable(ratios)
        print("\nsample record: \(String(decoding: SensorJSON.payloads(count: 1, size: nil)[0], as: UTF8.self))")
    }

    struct Result {
        var records: Int
        var bytes: Int
        var seconds: Double
        var stats: CommitStats

        func row(_ name: String, _ note: String = "") -> [String] {
            let perSync = stats.syncs > 0 ? fixed(Double(stats.records) / Double(stats.syncs), 1) : "-"
            let perBatch = fixed(Double(stats.records) / Double(max(stats.batches, 1)), 1)
            return [name, fixed(Double(records) / seconds, 0), fixed(Double(bytes) / seconds / 1e6, 1), perSync,
                    (note.isEmpty ? "" : note + "; ") + "\(perBatch) records/batch, \(stats.syncs) fsyncs"]
        }
    }

    /// One producer appending as fast as it can (bounded to a million records in flight),
    /// a callback per record; timed until the last commit.
    func openLoop(_ path: String, _ fsync: FsyncPolicy, _ payloads: [[UInt8]], _ count: Int) throws -> Result {
        var options = SegmentLogOptions()
        options.fsync = fsync
        let log = try SegmentLog(directory: path, options: options)
        let committed = NIOLockedValueBox(0)
        let done = DispatchSemaphore(value: 0)
        let onCommit: @Sendable (Swift.Result<UInt64, StoreError>) -> Void = { _ in
            if committed.withLockedValue({ $0 += 1; return $0 }) == count { done.signal() }
        }
        let start = now()
        var bytes = 0
        for i in 0..<count {
            let p = payloads[i % payloads.count]
            bytes += p.count
            log.append(p, onCommit: onCommit)
            if i % 65536 == 0 {
                while i - committed.withLockedValue({ $0 }) > 1_000_000 { usleep(100) }
            }
        }
        done.wait()
        let elapsed = now() - start
        try log.flush()
        let stats = log.commitStats
        log.close()
        return Result(records: count, bytes: bytes, seconds: elapsed, stats: stats)
    }

    /// `producers` clients, each with one append in flight: the next goes out from the commit
    /// callback, the way a device waits for its PUBACK.
    func closedLoop(_ path: String, producers: Int, _ payloads: [[UInt8]]) throws -> Result {
        var options = SegmentLogOptions()
        options.fsync = .always
        let log = try SegmentLog(directory: path, options: options)
        let deadline = now() + seconds
        let state = NIOLockedValueBox((committed: 0, running: producers))
        let done = DispatchSemaphore(value: 0)
        let payload = payloads[0]
        @Sendable func step() {
            log.append(payload) { _ in
                let stop = now() >= deadline
                let finished = state.withLockedValue { s -> Bool in
                    s.committed += 1
                    if stop { s.running -= 1 }
                    return stop && s.running == 0
                }
                if finished { done.signal() } else if !stop { step() }
            }
        }
        let start = now()
        for _ in 0..<producers { step() }
        done.wait()
        let elapsed = now() - start
        let n = state.withLockedValue { $0.committed }
        let stats = log.commitStats
        log.close()
        return Result(records: n, bytes: n * payload.count, seconds: elapsed, stats: stats)
    }

    /// Reopen (recovery validates every batch) and read everything back.
    func replaySpeed(_ path: String) throws -> [[String]] {
        let t0 = now()
        let log = try SegmentLog(directory: path, options: SegmentLogOptions())
        let recovered = now() - t0
        let report = log.recoveryReport
        let t1 = now()
        let reader = try log.reader(from: log.startOffset)
        var n = 0
        var bytes = 0
        while let r = try reader.next() {
            n += 1
            bytes += r.payload.readableBytes
        }
        let read = now() - t1
        log.close()
        return [
            ["recovery on open (CRC + LZ4 + count)", fixed(Double(report.records) / recovered, 0),
             fixed(Double(report.bytes) / recovered / 1e6, 1) + " (on disk)", "-",
             "\(report.records) records, \(report.segments) segments in \(fixed(recovered, 2)) s"],
            ["replay via LogReader", fixed(Double(n) / read, 0), fixed(Double(bytes) / read / 1e6, 1), "-",
             "\(n) records in \(fixed(read, 2)) s"],
        ]
    }

    func now() -> Double { Double(WallClock.monotonicNanoseconds()) / 1e9 }
}

/// Realistic-looking edge telemetry: gateways and sensors with drifting readings.
enum SensorJSON {
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.count))
        }
    }

    static func reading(_ rng: inout Rng, ts: inout Int64) -> String {
        let gw = rng.int(1...40)
        let kind = ["temp", "hum", "env", "door", "power"][rng.int(0...4)]
        let sensor = rng.int(1...12)
        ts += Int64(rng.int(1...900))
        let temperature = Double(rng.int(-500...3500)) / 100
        let humidity = Double(rng.int(150...950)) / 10
        let battery = Double(rng.int(290...420)) / 100
        let roll = rng.int(0...99)
        let status = roll < 90 ? "ok" : roll < 96 ? "low_battery" : "degraded"
        return "{\"device\":\"gw-\(gw)/\(kind)-\(sensor)\",\"ts\":\(ts),\"temperature\":\(fixed(temperature, 2)),"
            + "\"humidity\":\(fixed(humidity, 1)),\"battery\":\(fixed(battery, 2)),\"status\":\"\(status)\"}"
    }

    /// `count` payloads: single readings (size nil), cut or padded to `size` bytes, or for sizes
    /// above a reading, a gateway's JSON array of readings filling `size` bytes.
    static func payloads(count: Int, size: Int?) -> [[UInt8]] {
        var rng = Rng(state: 0x9E37_79B9_7F4A_7C15)
        var ts: Int64 = 1_732_476_000_123
        return (0..<count).map { _ in
            guard let size else { return Array(reading(&rng, ts: &ts).utf8) }
            var s = Array(reading(&rng, ts: &ts).utf8)
            if size > 200 {
                s = Array("[".utf8) + s
                while s.count < size { s += Array(",".utf8) + Array(reading(&rng, ts: &ts).utf8) }
            }
            while s.count < size { s.append(0x20) }
            return Array(s.prefix(size))
        }
    }

    static func random(count: Int, size: Int) -> [[UInt8]] {
        var rng = Rng(state: 12345)
        return (0..<count).map { _ in (0..<size).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
    }
}
