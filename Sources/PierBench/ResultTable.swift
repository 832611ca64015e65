/// Plain-text tables with aligned columns: numbers right-aligned, text left-aligned.
public enum ResultTable {
    public static func render(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        let columns = rows.map(\.count).max() ?? header.count
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        var lines: [String] = []
        for (r, row) in rows.enumerated() {
            var cells: [String] = []
            for i in 0..<columns {
                let cell = i < row.count ? row[i] : ""
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                cells.append(r > 0 && looksNumeric(cell) ? pad + cell : cell + pad)
            }
            lines.append(cells.joined(separator: "  ").trimmingTrailingSpaces())
            if r == 0 { lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        return lines.joined(separator: "\n")
    }

    static func looksNumeric(_ s: String) -> Bool {
        guard let first = s.first else { return false }
        return first.isNumber || (first == "-" && s.count > 1) || first == "+"
    }

    /// A number with thousands separators and `decimals` fraction digits, e.g. 12,345.6.
    public static func number(_ value: Double, decimals: Int = 0) -> String {
        guard value.isFinite else { return "-" }
        let negative = value < 0
        var scaled = abs(value)
        var factor = 1.0
        for _ in 0..<decimals { factor *= 10 }
        scaled = (scaled * factor).rounded()
        let whole = UInt64(scaled / factor)
        let frac = UInt64(scaled - Double(whole) * factor)
        var digits = Array(String(whole))
        var grouped: [Character] = []
        while digits.count > 3 {
            grouped.insert(contentsOf: [","] + digits.suffix(3), at: 0)
            digits.removeLast(3)
        }
        grouped.insert(contentsOf: digits, at: 0)
        var out = (negative ? "-" : "") + String(grouped)
        if decimals > 0 {
            let f = String(frac)
            out += "." + String(repeating: "0", count: decimals - f.count) + f
        }
        return out
    }

    public static func number(_ value: Int) -> String { number(Double(value)) }

    /// Bytes as KiB/MiB with one decimal, or plain bytes below 1 KiB.
    public static func bytes(_ value: Int) -> String {
        let v = Double(value)
        if abs(v) >= 1024 * 1024 { return number(v / 1024 / 1024, decimals: 1) + " MiB" }
        if abs(v) >= 1024 { return number(v / 1024, decimals: 1) + " KiB" }
        return "\(value) B"
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
