/// Rows under a header, each column as wide as its widest cell, two spaces apart, lines without
/// trailing blanks (a `grep`/`awk` reads them as it would `ps`). Numbers are right-aligned where `numeric` says so.
struct AdminTable {
    var header: [String]
    var numeric: Set<Int> = []
    var rows: [[String]] = []

    init(_ header: [String], numeric: Set<Int> = []) {
        self.header = header
        self.numeric = numeric
    }

    mutating func append(_ row: [String]) {
        rows.append(row.map(Self.oneLine))
    }

    var text: String {
        let all = [header] + rows
        var widths = Array(repeating: 0, count: header.count)
        for row in all {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        var out = ""
        for row in all {
            var line = ""
            for (i, cell) in row.enumerated() where i < widths.count {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                let last = i == widths.count - 1
                if i > 0 { line += "  " }
                if numeric.contains(i) {
                    line += pad + cell
                } else {
                    line += cell + (last ? "" : pad)
                }
            }
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        return out
    }

    /// A newline or tab inside a cell (a message body) would break the columns; shown escaped instead.
    static func oneLine(_ cell: String) -> String {
        var out = ""
        for scalar in cell.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
