import NIOCore
import NIOEmbedded
import NIOWebSocket
import PierFuzzDriver
import PierMQTT
import PierSTOMP
import PierWebSocket

/// libFuzzer entry point for the WebSocket-to-protocol path: the bytes are what a client sends after
/// the upgrade. They go through NIO's frame decoder and `WebSocketStreamHandler` (fragments, control
/// frames, the message size limit) into the MQTT or STOMP decoder, as on a real connection. The first
/// byte picks the protocol and a small message limit; nothing may trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let setup = data[0]
    let channel = EmbeddedChannel()
    let sink = ProtocolSink(stomp: setup & 1 == 1)
    do {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 4096)))
        try channel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
        try channel.pipeline.syncOperations.addHandler(
            WebSocketStreamHandler(maxMessageSize: setup & 2 == 0 ? 64 : 4096, textOutput: setup & 1 == 1))
        try channel.pipeline.syncOperations.addHandler(sink)
        // An EmbeddedChannel is inactive until it connects, and the loop below feeds bytes only while the
        // channel is active (so it stops when a close frame or an error closes it): without this connect
        // no byte after the setup byte was ever read.
        try channel.connect(to: peer).wait()
    } catch {
        return 0
    }
    var offset = 1
    let chunk = [1, 3, 17, 4096][Int(setup >> 2) % 4]
    while offset < size, channel.isActive {
        let end = min(size, offset + chunk)
        let bytes = ByteBuffer(bytes: UnsafeBufferPointer(start: data + offset, count: end - offset))
        _ = try? channel.writeInbound(bytes)
        offset = end
    }
    // A close frame or an error has usually closed the channel already; plain `finish()` then throws before
    // running the event loop, so the task that tears the pipeline down never ran and every such input
    // leaked its channel and handlers (about 7 KB; RSS reached 1.7 GB in 670,000 executions).
    _ = try? channel.finish(acceptAlreadyClosed: true)
    return 0
}

private let peer = try! SocketAddress(ipAddress: "127.0.0.1", port: 1883)

/// Stands where the protocol handler would: decodes what the WebSocket layer passes on, and answers
/// each decoded frame with a write so the outbound path runs too.
final class ProtocolSink: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let stomp: Bool
    private var buffer = ByteBuffer()
    private var mqtt = MQTTPacketDecoder(maximumPacketSize: 4096)
    private var stompDecoder = STOMPFrameDecoder(version: .v1_2, limits: STOMPDecoderLimits(maxFrameSize: 4096, maxHeaders: 16,
                                                                                            maxHeaderLineLength: 256, maxBodySize: 2048))

    init(stomp: Bool) {
        self.stomp = stomp
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        buffer.writeBuffer(&bytes)
        while true {
            if stomp {
                guard let event = try? stompDecoder.next(&buffer) else { break }
                if case .frame(let f) = event {
                    var out = ByteBuffer()
                    STOMPFrameEncoder.encode(f, version: .v1_2, into: &out)
                    context.writeAndFlush(wrapOutboundOut(out), promise: nil)
                }
            } else {
                guard let packet = try? mqtt.decode(&buffer) else { break }
                var out = ByteBuffer()
                MQTTPacketEncoder.encode(packet, version: mqtt.version ?? .v3_1_1, into: &out)
                context.writeAndFlush(wrapOutboundOut(out), promise: nil)
            }
        }
    }
}

#if FUZZING
@_cdecl("PierWebSocketFuzz_main")
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
