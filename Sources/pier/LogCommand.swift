import ArgumentParser
import PierStore

/// `pier log inspect|verify DIR`: read-only views of a store directory.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Inspect or verify a Pier store directory (read-only).",
        subcommands: [Inspect.self, Verify.self])

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List segments, checkpoints and cursor positions.")

        @Argument(help: "The store directory.")
        var directory: String

        func run() throws {
            let i = try LogInspector.inspect(directory: directory)
            print("segments in \(i.directory):")
            var rows = [["segment", "bytes", "batches", "records", "offsets", "payload", "stored", "ratio", "state"]]
            for s in i.segments {
                let offsets = s.records == 0 ? "-" : "\(s.baseOffset)..\(s.nextOffset - 1)"
                rows.append([
                    s.fileName, "\(s.sizeBytes)", "\(s.batches)", "\(s.records)", offsets, "\(s.uncompressedBytes)",
                    "\(s.storedBytes)", fixed(s.compressionRatio, 2) + "x",
                    s.damage.map { "DAMAGED at byte \($0.position): \($0.reason)" } ?? "ok",
                ])
            }
            printTable(rows)
            let total = i.segments.reduce((0, Int64(0), Int64(0))) { ($0.0 + $1.records, $0.1 + $1.uncompressedBytes, $0.2 + $1.storedBytes) }
            print("total: \(i.segments.count) segments, \(total.0) records, \(total.1) payload bytes stored as \(total.2)"
                + (total.2 > 0 ? " (\(fixed(Double(total.1) / Double(total.2), 2))x)" : ""))
            print("\ncheckpoints:")
            if i.checkpoints.isEmpty { print("  none") }
            for c in i.checkpoints {
                print("  \(c.fileName)  up to offset \(c.upToOffset)  " + (c.problem.map { "DAMAGED: \($0)" } ?? "\(c.snapshotBytes) bytes"))
            }
            print("\ncursors:")
            if i.cursors.isEmpty { print("  none") }
            for c in i.cursors {
                if let problem = c.problem {
                    print("  \(c.fileName)  DAMAGED: \(problem)")
                } else if let name = c.name, let next = c.nextOffset {
                    print("  \(name)  acknowledged \(next == 0 ? "nothing" : "up to \(next - 1)"), next offset \(next)")
                }
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every batch CRC, offset, index entry, checkpoint and cursor; exit 1 on damage.")

        @Argument(help: "The store directory.")
        var directory: String

        func run() throws {
            let inspection = try LogInspector.inspect(directory: directory)
            let problems = try LogInspector.verify(directory: directory)
            let records = inspection.segments.reduce(0) { $0 + $1.records }
            let batches = inspection.segments.reduce(0) { $0 + $1.batches }
            if problems.isEmpty {
                print("ok: \(inspection.segments.count) segments, \(batches) batches, \(records) records, "
                    + "\(inspection.checkpoints.count) checkpoints, \(inspection.cursors.count) cursors")
                return
            }
            for p in problems { print("damage: \(directory)/\(p)") }
            print("\(problems.count) problem(s) found")
            throw ExitCode(1)
        }
    }
}

func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let n = Int64((abs(value) * scale).rounded())
    let whole = n / Int64(scale)
    var frac = String(n % Int64(scale))
    while frac.count < digits { frac = "0" + frac }
    return (value < 0 ? "-" : "") + "\(whole)" + (digits > 0 ? "." + frac : "")
}

func printTable(_ rows: [[String]]) {
    guard let first = rows.first else { return }
    var widths = [Int](repeating: 0, count: first.count)
    for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
    for row in rows {
        var line = ""
        for (i, cell) in row.enumerated() {
            let pad = i < widths.count - 1 ? String(repeating: " ", count: widths[i] - cell.count + 2) : ""
            line += cell + pad
        }
        print("  " + line)
    }
}
