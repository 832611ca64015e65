import PierFuzzDriver
import NIOCore
import PierSTOMP

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer entry point for the STOMP decoder. The first byte picks the setup, the rest is the stream:
/// - byte % 3: the version (1.0, 1.1, 1.2), which switches header escaping;
/// - (byte / 3) % 8: the size of the chunks the stream is fed in, from 1 byte to all at once;
/// - byte ≥ 128: tiny limits, so every limit check is reached by short inputs.
///
/// Beyond "never trap", three properties are checked, and a violation traps on purpose:
/// - feeding in chunks gives exactly the events and error of feeding everything at once;
/// - a decoded frame re-encodes and decodes back to the same command, headers (1.2) and body;
/// - the decoder never consumes bytes it did not account for.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let setup = data[0]
    let version = STOMPVersion.allCases[Int(setup % 3)]
    let chunk = [1, 2, 3, 7, 16, 64, 512, Int.max][Int(setup / 3) % 8]
    let limits = setup >= 128
        ? STOMPDecoderLimits(maxFrameSize: 300, maxHeaders: 4, maxHeaderLineLength: 40, maxBodySize: 100)
        : STOMPDecoderLimits(maxFrameSize: 64 * 1024, maxHeaders: 1000, maxHeaderLineLength: 10 * 1024, maxBodySize: 32 * 1024)
    let stream = UnsafeBufferPointer(start: data + 1, count: size - 1)

    let whole = decodeAll(stream, version: version, limits: limits, chunk: Int.max)
    let chunked = decodeAll(stream, version: version, limits: limits, chunk: chunk)
    guard whole == chunked else { fatalError("chunk size \(chunk) changed the result: \(whole) vs \(chunked)") }

    for case .frame(let frame) in whole.items { checkRoundTrip(frame, version: version) }
    return 0
}

typealias Decoded = DecodedStream<STOMPDecoderEvent, STOMPDecodeError>

func decodeAll(_ stream: UnsafeBufferPointer<UInt8>, version: STOMPVersion, limits: STOMPDecoderLimits,
               chunk: Int) -> Decoded {
    var decoder = STOMPFrameDecoder(version: version, limits: limits)
    return Decoded(stream, chunk: chunk) { (buffer: inout ByteBuffer) throws(STOMPDecodeError) in try decoder.next(&buffer) }
}

func checkRoundTrip(_ frame: STOMPFrame, version: STOMPVersion) {
    var wire = ByteBuffer()
    STOMPFrameEncoder.encode(frame, version: version, into: &wire)
    let big = STOMPDecoderLimits(maxFrameSize: Int.max / 4, maxHeaders: Int.max / 4,
                                 maxHeaderLineLength: Int.max / 4, maxBodySize: Int.max / 4)
    var decoder = STOMPFrameDecoder(version: version, limits: big)
    let event: STOMPDecoderEvent?
    do {
        event = try decoder.next(&wire)
    } catch {
        fatalError("re-encoded \(frame) does not decode: \(error)")
    }
    guard case .frame(let again) = event, wire.readableBytes == 0 else {
        fatalError("re-encoded \(frame) decodes to \(String(describing: event)) with \(wire.readableBytes) bytes left")
    }
    guard again.command == frame.command, again.body == frame.body else {
        fatalError("round trip changed \(frame) into \(again)")
    }
    // 1.2 escapes everything, so headers must survive exactly (less content-length, which the encoder owns).
    if version == .v1_2 && frame.command.escapesHeaders {
        let expected = frame.headers.filter { $0.name != "content-length" }
        let got = again.headers.filter { $0.name != "content-length" }
        guard expected == got else { fatalError("round trip changed headers \(expected) into \(got)") }
    }
}

#if FUZZING
@_cdecl("PierSTOMPFuzz_main")
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
