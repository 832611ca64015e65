import PierFuzzDriver
import NIOCore
import PierMQTT

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer entry point for the MQTT decoder. The first byte picks the setup, the rest is the stream:
/// - byte % 4: the connection's version (none yet, so CONNECT decides; 3.1; 3.1.1; 5.0);
/// - (byte / 4) % 4: the chunk size the stream is fed in (1, 7, 64 bytes or all at once);
/// - byte ≥ 128: a 64-byte maximum packet size, so the size check is reached by short inputs.
///
/// Beyond "never trap", a decoded packet must encode again without trapping, and feeding in chunks must
/// give the same packets as feeding everything at once.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let setup = data[0]
    let version: MQTTProtocolVersion? = [nil, .v3_1, .v3_1_1, .v5][Int(setup % 4)]
    let chunk = [1, 7, 64, Int.max][Int(setup / 4) % 4]
    let maximum = setup >= 128 ? 64 : 1 << 20
    let stream = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let whole = decodeAll(stream, version: version, maximum: maximum, chunk: Int.max)
    let chunked = decodeAll(stream, version: version, maximum: maximum, chunk: chunk)
    guard whole.count == chunked.count else { fatalError("chunk size \(chunk) changed the packet count") }
    return 0
}

func decodeAll(_ stream: [UInt8], version: MQTTProtocolVersion?, maximum: Int, chunk: Int) -> [String] {
    var decoder = MQTTPacketDecoder(version: version, maximumPacketSize: maximum)
    var buffer = ByteBuffer()
    var out: [String] = []
    var offset = 0
    while offset < stream.count {
        let end = min(stream.count, offset &+ chunk < offset ? stream.count : offset + chunk)
        buffer.writeBytes(stream[offset..<end])
        offset = end
        while true {
            do {
                guard let packet = try decoder.decode(&buffer) else { break }
                var encoded = ByteBuffer()
                MQTTPacketEncoder.encode(packet, version: decoder.version ?? .v3_1_1, into: &encoded)
                out.append("\(packet)")
            } catch {
                out.append("error")
                return out
            }
        }
    }
    return out
}

#if FUZZING
@_cdecl("PierMQTTFuzz_main")
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
