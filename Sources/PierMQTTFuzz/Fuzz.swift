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
/// Beyond "never trap", these properties are checked, and a violation traps on purpose:
/// - feeding a stream in chunks gives exactly the packets and error of feeding it at once;
/// - the decoder never consumes bytes without returning a packet, nor returns one without consuming;
/// - a decoded packet encodes to `encodedSize` bytes, and those decode again to a packet that encodes
///   to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let setup = data[0]
    let version: MQTTProtocolVersion? = [nil, .v3_1, .v3_1_1, .v5][Int(setup % 4)]
    let chunk = [1, 7, 64, Int.max][Int(setup / 4) % 4]
    let maximum = setup >= 128 ? 64 : 1 << 20
    let stream = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let whole = decodeAll(stream, version: version, maximum: maximum, chunk: Int.max)
    let chunked = decodeAll(stream, version: version, maximum: maximum, chunk: chunk)
    guard whole == chunked else { fatalError("chunk size \(chunk) changed the result: \(whole) vs \(chunked)") }
    return 0
}

/// What a stream decoded to: each packet as its encoding, and the error that stopped it.
typealias Decoded = DecodedStream<[UInt8], MQTTDecodeError>

func decodeAll(_ stream: UnsafeBufferPointer<UInt8>, version: MQTTProtocolVersion?, maximum: Int, chunk: Int) -> Decoded {
    var decoder = MQTTPacketDecoder(version: version, maximumPacketSize: maximum)
    return Decoded(stream, chunk: chunk) { (buffer: inout ByteBuffer) throws(MQTTDecodeError) in
        try decoder.decode(&buffer).map { reencode($0, version: decoder.version ?? .v3_1_1) }
    }
}

/// encode → decode → encode must give the same bytes.
func reencode(_ packet: MQTTPacket, version: MQTTProtocolVersion) -> [UInt8] {
    var wire = ByteBuffer()
    MQTTPacketEncoder.encode(packet, version: version, into: &wire)
    let expected = MQTTPacketEncoder.encodedSize(packet, version: version)
    guard wire.readableBytes == expected else { fatalError("encodedSize \(expected), wrote \(wire.readableBytes): \(packet)") }
    let first = Array(wire.readableBytesView)
    var again = MQTTPacketDecoder(version: version, maximumPacketSize: .max)
    let decoded: MQTTPacket?
    do {
        decoded = try again.decode(&wire)
    } catch {
        fatalError("an encoded packet does not decode: \(error) for \(packet)")
    }
    guard let decoded, wire.readableBytes == 0 else { fatalError("an encoded packet is not one whole packet: \(packet)") }
    var second = ByteBuffer()
    MQTTPacketEncoder.encode(decoded, version: version, into: &second)
    guard Array(second.readableBytesView) == first else { fatalError("re-encoding changed the bytes: \(packet) vs \(decoded)") }
    return first
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
