import NIOCore

/// Java's "modified UTF-8" (`DataOutput.writeUTF`), the text encoding of every OpenWire string: UTF-16
/// code units written one by one, U+0000 as `C0 80`, a code unit up to U+07FF in 2 bytes, any other in
/// 3, so a character outside the BMP becomes two 3-byte surrogates (CESU-8) rather than one 4-byte
/// sequence.
///
/// Decoding follows `DataInputStream.readUTF`: it does not reject overlong forms or a raw 0x00 byte, it
/// does reject a lead byte of 10xxxxxx or 1111xxxx and a missing continuation byte. Java strings may
/// hold a lone surrogate, Swift strings may not: one decodes to U+FFFD. So decode then encode gives
/// the same bytes for everything Java writes except lone surrogates.
enum OpenWireModifiedUTF8 {
    /// The text, or nil when the bytes are not modified UTF-8.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> String? {
        // Plain ASCII is the common case (ids, destinations, header values): no UTF-16 detour.
        if !bytes.contains(where: { $0 == 0 || $0 >= 0x80 }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count)
        let n = bytes.count
        var i = 0
        while i < n {
            let c = bytes[i]
            switch c >> 4 {
            case 0...7:
                units.append(UInt16(c))
                i += 1
            case 12, 13:
                guard i + 1 < n, bytes[i + 1] & 0xC0 == 0x80 else { return nil }
                units.append(UInt16(c & 0x1F) << 6 | UInt16(bytes[i + 1] & 0x3F))
                i += 2
            case 14:
                guard i + 2 < n, bytes[i + 1] & 0xC0 == 0x80, bytes[i + 2] & 0xC0 == 0x80 else { return nil }
                units.append(UInt16(c & 0x0F) << 12 | UInt16(bytes[i + 1] & 0x3F) << 6 | UInt16(bytes[i + 2] & 0x3F))
                i += 3
            default:
                return nil
            }
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// Bytes `write` produces for `string`.
    static func encodedLength(_ string: String) -> Int {
        // Ids and destination names are ASCII: then the length is the UTF-8 count, with no UTF-16 walk.
        let ascii = string.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.allSatisfy { $0 != 0 && $0 < 0x80 } ? bytes.count : nil
        }
        if let ascii, let length = ascii { return length }
        var length = 0
        for unit in string.utf16 {
            switch unit {
            case 0x0001...0x007F: length += 1
            case 0x0000, 0x0080...0x07FF: length += 2
            default: length += 3
            }
        }
        return length
    }

    /// Writes `string`'s bytes (no length prefix); `length` must be `encodedLength(string)`.
    static func write(_ string: String, length: Int, into buffer: inout ByteBuffer) {
        if length == string.utf8.count && !string.utf8.contains(0) {
            // No byte needs re-encoding: ASCII without NUL is the same in both encodings.
            buffer.writeString(string)
            return
        }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { out in
            var o = 0
            for unit in string.utf16 {
                switch unit {
                case 0x0001...0x007F:
                    out[o] = UInt8(unit)
                    o += 1
                case 0x0000, 0x0080...0x07FF:
                    out[o] = 0xC0 | UInt8(unit >> 6)
                    out[o + 1] = 0x80 | UInt8(unit & 0x3F)
                    o += 2
                default:
                    out[o] = 0xE0 | UInt8(unit >> 12)
                    out[o + 1] = 0x80 | UInt8((unit >> 6) & 0x3F)
                    out[o + 2] = 0x80 | UInt8(unit & 0x3F)
                    o += 3
                }
            }
            return o
        }
    }
}
