import PierFuzzDriver
import NIOCore
import PierOpenWire

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer entry point for the OpenWire decoder. The first byte picks the setup, the rest is the stream:
/// - bit 0: stack traces on (throwables carry traces and causes);
/// - bit 1: the marshalling cache on (cached fields are slot references);
/// - bits 2-3: the chunk size the stream is fed in (1, 7, 64 bytes or all at once);
/// - bit 4: a 300-byte maximum frame size, so the size check is reached by short inputs;
/// - bit 5: a nesting limit of 3 instead of 32.
///
/// Beyond "never trap", these properties are checked, and a violation traps on purpose:
/// - feeding in chunks gives exactly the commands and error of feeding everything at once;
/// - `next` consumes a whole frame or nothing;
/// - the decoded commands encode (with a cache in step, when on) and decode back to equal commands;
/// - body and property helpers never trap, and what they decode re-encodes to an equal value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let setup = data[0]
    let options = OpenWireFormatOptions(
        maxFrameSize: setup & 0x10 != 0 ? 300 : 1 << 20,
        stackTraceEnabled: setup & 0x01 != 0,
        cacheEnabled: setup & 0x02 != 0,
        cacheSize: 128,
        maxNestingDepth: setup & 0x20 != 0 ? 3 : 32)
    let chunk = [1, 7, 64, Int.max][Int(setup >> 2) & 3]
    let stream = UnsafeBufferPointer(start: data + 1, count: size - 1)

    let whole = decodeAll(stream, options: options, chunk: Int.max)
    let chunked = decodeAll(stream, options: options, chunk: chunk)
    guard whole == chunked else { fatalError("chunk size \(chunk) changed the result: \(whole) vs \(chunked)") }

    checkRoundTrip(whole.items, options: options)
    for command in whole.items { exerciseHelpers(command) }
    return 0
}

typealias Decoded = DecodedStream<OpenWireCommand, OpenWireDecodeError>

func decodeAll(_ stream: UnsafeBufferPointer<UInt8>, options: OpenWireFormatOptions, chunk: Int) -> Decoded {
    var decoder = OpenWireFrameDecoder(options: options)
    return Decoded(stream, chunk: chunk) { (buffer: inout ByteBuffer) throws(OpenWireDecodeError) in try decoder.next(&buffer) }
}

/// Encodes the commands in order (one encoder, so the cache evolves as a sender's would) and decodes the
/// frames with a fresh decoder: the commands must come back equal.
func checkRoundTrip(_ commands: [OpenWireCommand], options: OpenWireFormatOptions) {
    guard !commands.isEmpty else { return }
    var encoder = OpenWireFrameEncoder(options: OpenWireFormatOptions(
        maxFrameSize: Int.max, stackTraceEnabled: options.stackTraceEnabled, cacheEnabled: options.cacheEnabled,
        cacheSize: options.cacheSize, maxNestingDepth: options.maxNestingDepth))
    var wire = ByteBuffer()
    for command in commands {
        do {
            try encoder.encode(command, into: &wire)
        } catch {
            // Only a string the decoder could not have produced, or an array of more than 32767 elements,
            // fails to encode; neither fits in what the decoder accepts.
            fatalError("decoded \(command) does not encode: \(error)")
        }
    }
    var decoder = OpenWireFrameDecoder(options: OpenWireFormatOptions(
        maxFrameSize: Int.max, stackTraceEnabled: options.stackTraceEnabled, cacheEnabled: options.cacheEnabled,
        cacheSize: options.cacheSize, maxNestingDepth: options.maxNestingDepth))
    for command in commands {
        let again: OpenWireCommand?
        do {
            again = try decoder.next(&wire)
        } catch {
            fatalError("re-encoded \(command) does not decode: \(error)")
        }
        guard again == command else { fatalError("round trip changed \(command) into \(String(describing: again))") }
    }
    guard wire.readableBytes == 0 else { fatalError("\(wire.readableBytes) bytes left after re-decoding") }
}

/// Properties and bodies: decoding must not trap; what decodes must survive set-then-get.
func exerciseHelpers(_ command: OpenWireCommand) {
    switch command {
    case .wireFormatInfo(let info):
        _ = try? info.properties()
    case .message(let message):
        exerciseMessage(message)
    case .messageDispatch(let dispatch):
        if let message = dispatch.message { exerciseMessage(message) }
    default:
        break
    }
}

func exerciseMessage(_ message: OpenWireMessage) {
    var copy = message
    if let properties = try? message.properties() {
        do {
            try copy.setProperties(properties)
        } catch {
            fatalError("decoded properties do not encode: \(error)")
        }
        guard (try? copy.properties()) == (properties.isEmpty ? nil : properties) else {
            fatalError("properties changed in a round trip")
        }
    }
    let limit = 1 << 20
    switch message.kind {
    case .text:
        if let text = try? message.text(maxInflatedSize: limit) {
            guard (try? copy.setText(text)) != nil, (try? copy.text()) == text else { fatalError("text changed") }
        }
    case .map:
        if let map = try? message.mapBody(maxInflatedSize: limit) {
            guard (try? copy.setMapBody(map)) != nil, (try? copy.mapBody()) == map else { fatalError("map body changed") }
        }
    case .stream:
        if let elements = try? message.streamBody(maxInflatedSize: limit) {
            guard (try? copy.setStreamBody(elements)) != nil, (try? copy.streamBody()) == elements else {
                fatalError("stream body changed")
            }
        }
    default:
        _ = try? message.uncompressedContent(maxInflatedSize: limit)
    }
}

#if FUZZING
@_cdecl("PierOpenWireFuzz_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc: argc, argv: argv) { data, size in
        guard let data, size > 0 else { return 0 }
        return fuzz(data, size)
    }
}
#else
@main
struct FuzzReplay {
    static func main() {
        FuzzDriver.replay(Array(CommandLine.arguments.dropFirst())) { fuzz($0, $1) }
    }
}
#endif
