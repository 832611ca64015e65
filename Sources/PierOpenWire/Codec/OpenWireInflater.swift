import CZlib

/// Inflates a zlib stream, the format of a compressed message body: ActiveMQ compresses with
/// `java.util.zip.Deflater` defaults when a client sets `useCompression`. zlib itself does the work (the
/// same library behind `java.util.zip`); this only bounds it: the output stops at `limit` bytes (a 10 MiB
/// frame must not become gigabytes), and the stream must end exactly where the input does.
struct OpenWireInflater {
    enum Failure: Error {
        case damaged
        case tooLarge
    }

    static func inflate(_ input: [UInt8], limit: Int) -> Result<[UInt8], Failure> {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return .failure(.damaged) }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, max(64, input.count * 4)))
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var input = input
        return input.withUnsafeMutableBufferPointer { (inBuffer: inout UnsafeMutableBufferPointer<UInt8>) -> Result<[UInt8], Failure> in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return (status, out.count - Int(stream.avail_out))
                }
                guard output.count + produced <= limit else { return .failure(.tooLarge) }
                output += chunk[0..<produced]
                switch status {
                case Z_STREAM_END:
                    // Bytes after the stream would be a second body glued on: not what a Deflater writes.
                    return stream.avail_in == 0 ? .success(output) : .failure(.damaged)
                case Z_OK:
                    continue
                case Z_BUF_ERROR where produced > 0:
                    continue
                default:
                    // Z_NEED_DICT (a preset dictionary), Z_DATA_ERROR, or Z_BUF_ERROR: input ended mid-stream.
                    return .failure(.damaged)
                }
            }
        }
    }
}
