import CYAML

/// Turns YAML text into one `YAMLNode` tree with libyaml's event parser.
///
/// libyaml does the parsing; this only assembles its events: anchors are remembered and aliases
/// replaced by the node they name, and a mapping that repeats a key is refused (YAML forbids it, and
/// silently keeping one of two `max_inflight` lines hides a mistake).
public struct YAMLComposer {
    /// On the heap: libyaml keeps pointers into its parser struct, which must therefore never move.
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private var anchors: [String: YAMLNode] = [:]

    /// The document's root node; nil for a stream with no document, or one holding only comments.
    public static func compose(_ text: String) throws(YAMLSyntaxError) -> YAMLNode? {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return nil }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(YAMLSyntaxError) -> YAMLNode? in
            var composer = YAMLComposer(parser: .allocate(capacity: 1))
            defer { composer.parser.deallocate() }
            guard yaml_parser_initialize(composer.parser) == 1 else {
                throw YAMLSyntaxError(.malformed(problem: "out of memory"), line: 1, column: 1)
            }
            defer { yaml_parser_delete(composer.parser) }
            yaml_parser_set_input_string(composer.parser, buffer.baseAddress, buffer.count)
            return try composer.composeStream()
        }
    }

    private init(parser: UnsafeMutablePointer<yaml_parser_t>) {
        self.parser = parser
    }

    private mutating func composeStream() throws(YAMLSyntaxError) -> YAMLNode? {
        try skip()  // stream start
        var event = try next()
        defer { yaml_event_delete(&event) }
        if event.type == YAML_STREAM_END_EVENT { return nil }
        let root = try composeNode(after: try next())
        try skip()  // document end
        var after = try next()
        defer { yaml_event_delete(&after) }
        guard after.type == YAML_STREAM_END_EVENT else {
            throw YAMLSyntaxError(
                .malformed(problem: "expected a single document in the stream, but found another document"),
                line: Int(after.start_mark.line) + 1, column: Int(after.start_mark.column) + 1)
        }
        return root
    }

    /// Builds the node that `event` starts; takes ownership of the event.
    private mutating func composeNode(after event: yaml_event_t) throws(YAMLSyntaxError) -> YAMLNode {
        var event = event
        defer { yaml_event_delete(&event) }
        let mark = YAMLMark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        let node: YAMLNode
        let anchor: UnsafeMutablePointer<yaml_char_t>?
        switch event.type {
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw YAMLSyntaxError(.malformed(problem: "found undefined alias"), line: mark.line, column: mark.column)
            }
            return target
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            node = .scalar(YAMLScalar(
                text: text, isPlain: scalar.style == YAML_PLAIN_SCALAR_STYLE, tag: Self.string(scalar.tag), mark: mark))
            anchor = scalar.anchor
        case YAML_SEQUENCE_START_EVENT:
            anchor = event.data.sequence_start.anchor
            var items: [YAMLNode] = []
            while let item = try next(unless: YAML_SEQUENCE_END_EVENT) {
                items.append(try composeNode(after: item))
            }
            node = .sequence(items, mark)
        case YAML_MAPPING_START_EVENT:
            anchor = event.data.mapping_start.anchor
            var pairs: [YAMLPair] = []
            while let keyEvent = try next(unless: YAML_MAPPING_END_EVENT) {
                let key = try composeNode(after: keyEvent)
                pairs.append(YAMLPair(key: key, value: try composeNode(after: try next())))
            }
            try Self.checkDuplicates(pairs)
            node = .mapping(pairs, mark)
        default:
            throw YAMLSyntaxError(.malformed(problem: "unexpected event \(event.type.rawValue)"),
                                  line: mark.line, column: mark.column)
        }
        if let name = Self.string(anchor) {
            anchors[name] = node
        }
        return node
    }

    private static func checkDuplicates(_ pairs: [YAMLPair]) throws(YAMLSyntaxError) {
        var first: [String: YAMLMark] = [:]
        var repeated: Set<String> = []
        for pair in pairs {
            guard let key = pair.key.scalar?.text else { continue }
            if first[key] == nil {
                first[key] = pair.key.mark
            } else {
                repeated.insert(key)
            }
        }
        guard !repeated.isEmpty else { return }
        let keys = repeated.sorted()
        let mark = first[keys[0]]!
        throw YAMLSyntaxError(.duplicateKeys(keys), line: mark.line, column: mark.column)
    }

    /// The next event; the caller deletes it (or hands it to `composeNode`).
    private mutating func next() throws(YAMLSyntaxError) -> yaml_event_t {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw error() }
        return event
    }

    /// The next event, or nil (and the event deleted) when it is the `end` of the collection being read.
    private mutating func next(unless end: yaml_event_type_t) throws(YAMLSyntaxError) -> yaml_event_t? {
        var event = try next()
        guard event.type != end else {
            yaml_event_delete(&event)
            return nil
        }
        return event
    }

    private mutating func skip() throws(YAMLSyntaxError) {
        var event = try next()
        yaml_event_delete(&event)
    }

    /// libyaml's error, as `context: problem` at the problem's mark.
    private func error() -> YAMLSyntaxError {
        let state = parser.pointee
        let problem = Self.string(state.problem) ?? "invalid YAML"
        let text = Self.string(state.context).map { "\($0): \(problem)" } ?? problem
        return YAMLSyntaxError(.malformed(problem: text),
                               line: Int(state.problem_mark.line) + 1, column: Int(state.problem_mark.column) + 1)
    }

    private static func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafePointer($0)) }
    }
}
