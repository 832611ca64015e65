import PierFuzzDriver
import NIOCore
import PierAMQP

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer entry point for the AMQP 1.0 codec. The first byte picks the setup, the rest is the input:
/// - byte % 4: 0 a raw connection stream (protocol header, SASL and AMQP frames, header again after
///   a SASL outcome); 1 the same with an AMQP header put in front, so mutations spend their time on
///   frames; 2 one encoded value, decoded also as a performative, SASL body, delivery state and
///   message section; 3 a transfer payload decoded as a message;
/// - (byte / 4) % 8: the size of the chunks a stream is fed in, from 1 byte to all at once;
/// - byte ≥ 128: max-frame-size 512 (the spec's minimum) instead of 64 KiB.
///
/// Beyond "never trap", these properties are checked, and a violation traps on purpose:
/// - feeding a stream in chunks gives exactly the items and error of feeding it at once;
/// - the frame decoder never consumes bytes without returning an item, nor returns one without consuming;
/// - whatever decodes re-encodes to bytes that decode again and re-encode to the same bytes (a
///   fixpoint: bytes, not values, are compared, because a float NaN is not equal to itself).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let setup = data[0]
    let chunk = [1, 2, 3, 7, 16, 64, 512, Int.max][Int(setup / 4) % 8]
    let maxFrameSize: UInt32 = setup >= 128 ? AMQPFrame.minMaxFrameSize : 64 * 1024
    let input = UnsafeBufferPointer(start: data + 1, count: size - 1)

    switch setup % 4 {
    case 0, 1:
        var stream = setup % 4 == 1 ? AMQPProtocolHeader.amqp.bytes : []
        stream.append(contentsOf: input)
        let whole = stream.withUnsafeBufferPointer { decodeAll($0, maxFrameSize: maxFrameSize, chunk: Int.max) }
        let chunked = stream.withUnsafeBufferPointer { decodeAll($0, maxFrameSize: maxFrameSize, chunk: chunk) }
        guard whole == chunked else { fatalError("chunk size \(chunk) changed the result: \(whole) vs \(chunked)") }
    case 2:
        var buffer = ByteBuffer(bytes: input)
        guard let value = try? buffer.readAMQPValue() else { return 0 }
        checkValue(value)
        checkComposites(value)
    default:
        checkMessage(ByteBuffer(bytes: input))
    }
    return 0
}

/// What a stream decoded to: each item as its canonical encoding, and the error that stopped it.
typealias Decoded = DecodedStream<[UInt8], AMQPDecodeError>

func decodeAll(_ stream: UnsafeBufferPointer<UInt8>, maxFrameSize: UInt32, chunk: Int) -> Decoded {
    var decoder = AMQPFrameDecoder(maxFrameSize: maxFrameSize)
    return Decoded(stream, chunk: chunk) { (buffer: inout ByteBuffer) throws(AMQPDecodeError) in
        try decoder.next(&buffer).map(checkItem)
    }
}

/// Checks one decoded item and returns its canonical encoding.
func checkItem(_ item: AMQPFrameDecoder.Item) -> [UInt8] {
    switch item {
    case .header(let header):
        return header.bytes
    case .frame(let frame):
        if case .performative(.transfer, let payload?) = frame.body { checkMessage(payload) }
        return checkFrame(frame)
    }
}

/// encode → decode → encode must give the same bytes, and the decode must be one whole frame.
func checkFrame(_ frame: AMQPFrame) -> [UInt8] {
    var wire = ByteBuffer()
    let written = wire.writeAMQPFrame(frame)
    guard written == wire.readableBytes else { fatalError("writeAMQPFrame reported \(written) of \(wire.readableBytes) bytes") }
    let first = Array(wire.readableBytesView)
    var decoder = AMQPFrameDecoder(maxFrameSize: .max)
    var header = ByteBuffer(bytes: AMQPProtocolHeader.amqp.bytes)
    guard case .header? = try? decoder.next(&header) else { fatalError("AMQP header does not decode") }
    let again: AMQPFrameDecoder.Item?
    do {
        again = try decoder.next(&wire)
    } catch {
        fatalError("re-encoded \(frame) does not decode: \(error)")
    }
    guard case .frame(let decoded)? = again, wire.readableBytes == 0 else {
        fatalError("re-encoded \(frame) decodes to \(String(describing: again)) with \(wire.readableBytes) bytes left")
    }
    var second = ByteBuffer()
    second.writeAMQPFrame(decoded)
    guard Array(second.readableBytesView) == first else { fatalError("frame round trip changed \(frame) into \(decoded)") }
    return first
}

/// A value decoded from the wire must re-encode (arrays from the wire are homogeneous, so the
/// encoder must find one constructor for them) into bytes that are a fixpoint of decode and encode.
@discardableResult
func checkValue(_ value: AMQPValue) -> [UInt8] {
    var wire = ByteBuffer()
    wire.writeAMQPValue(value)
    let first = Array(wire.readableBytesView)
    let again: AMQPValue
    do {
        again = try wire.readAMQPValue()
    } catch {
        fatalError("re-encoded \(value) does not decode: \(error)")
    }
    guard wire.readableBytes == 0 else { fatalError("re-encoded \(value) left \(wire.readableBytes) bytes") }
    var second = ByteBuffer()
    second.writeAMQPValue(again)
    guard Array(second.readableBytesView) == first else { fatalError("value round trip changed \(value) into \(again)") }
    return first
}

/// Every composite that a described value can be read as; what reads must survive its own encoder.
func checkComposites(_ value: AMQPValue) {
    if let performative = try? AMQPPerformative(decoding: value) {
        let bytes = checkValue(performative.amqpValue)
        var wire = ByteBuffer(bytes: bytes)
        guard let again = try? AMQPPerformative(decoding: wire.readAMQPValue()) else {
            fatalError("re-encoded performative \(performative) does not decode")
        }
        guard checkValue(again.amqpValue) == bytes else { fatalError("performative round trip changed \(performative) into \(again)") }
    }
    if let sasl = try? AMQPSASLFrame(decoding: value) {
        let bytes = checkValue(sasl.amqpValue)
        var wire = ByteBuffer(bytes: bytes)
        guard let again = try? AMQPSASLFrame(decoding: wire.readAMQPValue()) else {
            fatalError("re-encoded SASL body \(sasl) does not decode")
        }
        guard checkValue(again.amqpValue) == bytes else { fatalError("SASL round trip changed \(sasl) into \(again)") }
    }
    if let state = try? AMQPDeliveryState(decoding: value) {
        let bytes = checkValue(state.amqpValue)
        var wire = ByteBuffer(bytes: bytes)
        guard let again = try? AMQPDeliveryState(decoding: wire.readAMQPValue()) else {
            fatalError("re-encoded delivery state \(state) does not decode")
        }
        guard checkValue(again.amqpValue) == bytes else { fatalError("delivery state round trip changed \(state) into \(again)") }
    }
    // A single value is also a one-section message.
    var section = ByteBuffer()
    section.writeAMQPValue(value)
    checkMessage(section)
}

/// Message sections: what decodes re-encodes to bytes that decode to a message encoding the same.
func checkMessage(_ payload: ByteBuffer) {
    guard let message = try? AMQPMessage(decoding: payload) else { return }
    let first = message.encoded
    let again: AMQPMessage
    do {
        again = try AMQPMessage(decoding: first)
    } catch {
        fatalError("re-encoded message \(message) does not decode: \(error)")
    }
    guard again.encoded == first else { fatalError("message round trip changed \(message) into \(again)") }
}

#if FUZZING
@_cdecl("PierAMQPFuzz_main")
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
