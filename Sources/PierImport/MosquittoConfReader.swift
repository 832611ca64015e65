/// Reads mosquitto.conf text into directives, following `include_dir` the way mosquitto does: every
/// `*.conf` file in the directory, in byte order of their names, read at the point of the directive.
/// mosquitto's format has no library; it is one `name value…` per line, `#` comments, no quoting.
public struct MosquittoConfReader {
    /// Reads a file's text (nil when unreadable: the importer reports it).
    public var readFile: (String) -> String?
    /// Lists a directory's entries (nil when unreadable).
    public var listDirectory: (String) -> [String]?

    public init(readFile: @escaping (String) -> String?, listDirectory: @escaping (String) -> [String]?) {
        self.readFile = readFile
        self.listDirectory = listDirectory
    }

    /// Directives of `text` (read from `file`) with included files spliced in; problems with
    /// `include_dir` itself become notes.
    public func directives(of text: String, file: String, notes: inout [ImportNote]) -> [MosquittoDirective] {
        var out: [MosquittoDirective] = []
        read(text, file: file, depth: 0, into: &out, notes: &notes)
        return out
    }

    private func read(_ text: String, file: String, depth: Int, into out: inout [MosquittoDirective],
                      notes: inout [ImportNote]) {
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingWhitespace()
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            let name = words[0]
            let value = line.dropFirst(name.count).trimmingWhitespace()
            let directive = MosquittoDirective(name: name, arguments: Array(words.dropFirst()), value: String(value),
                                               file: file, line: index + 1)
            guard name == "include_dir" else {
                out.append(directive)
                continue
            }
            // mosquitto refuses include_dir inside an included file; nesting is only a loop guard here.
            guard depth == 0 else {
                notes.append(ImportNote(directive, "include_dir inside an included file is ignored, as mosquitto refuses it"))
                continue
            }
            let dir = directive.value
            guard let entries = listDirectory(dir) else {
                notes.append(ImportNote(directive, "cannot read directory \(dir)"))
                continue
            }
            for entry in entries.filter({ $0.hasSuffix(".conf") }).sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
                let path = dir.hasSuffix("/") ? dir + entry : dir + "/" + entry
                guard let included = readFile(path) else {
                    notes.append(ImportNote(directive, "cannot read \(path)"))
                    continue
                }
                read(included, file: path, depth: depth + 1, into: &out, notes: &notes)
            }
        }
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return self[start...end]
    }
}
