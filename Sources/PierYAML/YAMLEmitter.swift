import CYAML

/// Writes a `YAMLValue` as block-style YAML with libyaml's emitter, which picks a safe quoting for
/// every string; strings that would otherwise read back as a number, boolean or null are quoted.
public enum YAMLEmitter {
    public static func emit(_ value: YAMLValue) -> String {
        let output = Output()
        let emitter = UnsafeMutablePointer<yaml_emitter_t>.allocate(capacity: 1)
        defer { emitter.deallocate() }
        guard yaml_emitter_initialize(emitter) == 1 else { return "" }
        defer { yaml_emitter_delete(emitter) }
        yaml_emitter_set_unicode(emitter, 1)
        yaml_emitter_set_indent(emitter, 2)
        yaml_emitter_set_width(emitter, -1)
        let context = Unmanaged.passUnretained(output).toOpaque()
        yaml_emitter_set_output(emitter, { data, buffer, size in
            guard let data, let buffer else { return 0 }
            Unmanaged<Output>.fromOpaque(data).takeUnretainedValue().bytes
                .append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
            return 1
        }, context)
        let ok = withExtendedLifetime(output) {
            emit(emitter) { yaml_stream_start_event_initialize(&$0, YAML_UTF8_ENCODING) }
                && emit(emitter) { yaml_document_start_event_initialize(&$0, nil, nil, nil, 1) }
                && emitNode(value, emitter)
                && emit(emitter) { yaml_document_end_event_initialize(&$0, 1) }
                && emit(emitter) { yaml_stream_end_event_initialize(&$0) }
                && yaml_emitter_flush(emitter) == 1
        }
        return ok ? String(decoding: output.bytes, as: UTF8.self) : ""
    }

    private final class Output {
        var bytes: [UInt8] = []
    }

    private static func emitNode(_ value: YAMLValue, _ emitter: UnsafeMutablePointer<yaml_emitter_t>) -> Bool {
        switch value {
        case let .string(text):
            // A plain `1883`, `true` or `~` would come back as something else than this string.
            let plain = YAMLScalar(text: text, isPlain: true, mark: YAMLMark(line: 1, column: 1))
            let ambiguous = plain.isNull || plain.bool != nil || plain.int != nil || plain.double != nil
            return scalar(text, plainImplicit: !ambiguous, style: YAML_ANY_SCALAR_STYLE, emitter)
        case let .int(number):
            return scalar(String(number), plainImplicit: true, style: YAML_PLAIN_SCALAR_STYLE, emitter)
        case let .bool(flag):
            return scalar(flag ? "true" : "false", plainImplicit: true, style: YAML_PLAIN_SCALAR_STYLE, emitter)
        case let .list(items):
            return emit(emitter) { yaml_sequence_start_event_initialize(&$0, nil, nil, 1, YAML_BLOCK_SEQUENCE_STYLE) }
                && items.allSatisfy { emitNode($0, emitter) }
                && emit(emitter) { yaml_sequence_end_event_initialize(&$0) }
        case let .map(entries):
            return emit(emitter) { yaml_mapping_start_event_initialize(&$0, nil, nil, 1, YAML_BLOCK_MAPPING_STYLE) }
                && entries.allSatisfy { emitNode(.string($0.key), emitter) && emitNode($0.value, emitter) }
                && emit(emitter) { yaml_mapping_end_event_initialize(&$0) }
        }
    }

    private static func scalar(
        _ text: String, plainImplicit: Bool, style: yaml_scalar_style_t, _ emitter: UnsafeMutablePointer<yaml_emitter_t>
    ) -> Bool {
        // One spare byte keeps the pointer non-nil for an empty string, which libyaml asserts on.
        let bytes = Array(text.utf8) + [0]
        return bytes.withUnsafeBufferPointer { buffer in
            emit(emitter) {
                yaml_scalar_event_initialize(
                    &$0, nil, nil, buffer.baseAddress, Int32(buffer.count - 1), plainImplicit ? 1 : 0, 1, style)
            }
        }
    }

    /// Builds one event and hands it to the emitter, which takes ownership of it.
    private static func emit(
        _ emitter: UnsafeMutablePointer<yaml_emitter_t>, _ initialize: (inout yaml_event_t) -> Int32
    ) -> Bool {
        var event = yaml_event_t()
        guard initialize(&event) == 1 else { return false }
        return yaml_emitter_emit(emitter, &event) == 1
    }
}
