import NIOCore

/// Turns `STOMPFrame`s into bytes for STOMP 1.0, 1.1 and 1.2.
///
/// - Headers are escaped as `version` says, except in CONNECT, CONNECTED and STOMP (see
///   `STOMPCommand.escapesHeaders`). Where raw headers cannot carry a header, see `STOMPHeaderCoding`.
/// - The encoder owns `content-length`: any in the frame are dropped, and a correct one is written after
///   the other headers whenever the body is not empty, for every command. So a body holding NULs always
///   survives (stomp.py #447), and a stale length copied from another frame can never cut a body short.
/// - Lines end in LF alone: every version accepts it and it is one byte shorter.
public enum STOMPFrameEncoder {
    public static func encode(_ frame: STOMPFrame, version: STOMPVersion, into buffer: inout ByteBuffer) {
        let mode = STOMPHeaderCoding.Mode(version: version, command: frame.command)
        let bodyLength = frame.body.readableBytes
        buffer.reserveCapacity(minimumWritableBytes: estimatedSize(frame))
        buffer.writeString(frame.command.rawValue)
        buffer.writeInteger(UInt8(ascii: "\n"))
        for header in frame.headers where header.name != "content-length" {
            guard STOMPHeaderCoding.canWrite(name: header.name, mode: mode) else { continue }
            STOMPHeaderCoding.write(header.name, mode: mode, into: &buffer)
            buffer.writeInteger(UInt8(ascii: ":"))
            STOMPHeaderCoding.write(header.value, mode: mode, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        if bodyLength > 0 {
            buffer.writeStaticString("content-length:")
            buffer.writeString(String(bodyLength))
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
        var body = frame.body
        buffer.writeBuffer(&body)
        buffer.writeInteger(UInt8(0))
    }

    /// One heart-beat: a bare EOL between frames.
    public static func heartbeat(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// Bytes `encode` writes when nothing needs escaping; escaping can only add to it.
    public static func estimatedSize(_ frame: STOMPFrame) -> Int {
        var size = frame.command.rawValue.utf8.count + 1
        for header in frame.headers { size += header.name.utf8.count + header.value.utf8.count + 2 }
        size += 16 + 20 + 1  // "content-length:" + digits + LF
        return size + 1 + frame.body.readableBytes + 1
    }
}
