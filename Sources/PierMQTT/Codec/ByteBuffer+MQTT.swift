import NIOCore

/// MQTT data representations (spec 1.5) on `ByteBuffer`.
/// Readers run on a slice holding exactly one packet body, so running short of bytes is always malformed.
extension ByteBuffer {
    // MARK: Reading

    @inline(__always)
    mutating func readMQTTByte() throws(MQTTDecodeError) -> UInt8 {
        guard let v = readInteger(as: UInt8.self) else { throw .truncated("byte") }
        return v
    }

    @inline(__always)
    mutating func readMQTTUInt16() throws(MQTTDecodeError) -> UInt16 {
        guard let v = readInteger(as: UInt16.self) else { throw .truncated("two byte integer") }
        return v
    }

    @inline(__always)
    mutating func readMQTTUInt32() throws(MQTTDecodeError) -> UInt32 {
        guard let v = readInteger(as: UInt32.self) else { throw .truncated("four byte integer") }
        return v
    }

    /// At most four bytes; non-minimal encodings are accepted because some embedded clients pad lengths.
    mutating func readMQTTVariableByteInteger() throws(MQTTDecodeError) -> UInt32 {
        var value: UInt32 = 0
        var shift: UInt32 = 0
        for _ in 0..<4 {
            let b = try readMQTTByte()
            value |= UInt32(b & 0x7F) << shift
            if b & 0x80 == 0 { return value }
            shift += 7
        }
        throw MQTTDecodeError(.malformedPacket, "variable byte integer longer than 4 bytes")
    }

    /// A UTF-8 encoded string. U+0000 is malformed unless `allowingNull`, for callers (topic names) that
    /// report it with a more specific error themselves.
    mutating func readMQTTString(allowingNull: Bool = false) throws(MQTTDecodeError) -> String {
        let length = Int(try readMQTTUInt16())
        guard readableBytes >= length else { throw .truncated("string") }
        let check = withUnsafeReadableBytes { MQTTUTF8.validate(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
        switch check {
        case .valid: break
        case .containsNull where allowingNull: break
        case .containsNull: throw MQTTDecodeError(.malformedPacket, "string contains U+0000")
        case .invalid: throw MQTTDecodeError(.malformedPacket, "string is not valid UTF-8")
        }
        // Already validated, so decoding cannot substitute replacement characters.
        return readString(length: length)!
    }

    mutating func readMQTTBinary() throws(MQTTDecodeError) -> [UInt8] {
        let length = Int(try readMQTTUInt16())
        guard let bytes = readBytes(length: length) else { throw .truncated("binary data") }
        return bytes
    }

    mutating func readMQTTBinarySlice() throws(MQTTDecodeError) -> ByteBuffer {
        let length = Int(try readMQTTUInt16())
        guard let bytes = readSlice(length: length) else { throw .truncated("binary data") }
        return bytes
    }

    // MARK: Writing

    static func mqttVariableByteIntegerSize(_ value: Int) -> Int {
        switch value {
        case ..<128: return 1
        case ..<16_384: return 2
        case ..<2_097_152: return 3
        default: return 4
        }
    }

    mutating func writeMQTTVariableByteInteger(_ value: Int) {
        precondition(value >= 0 && value <= 268_435_455, "MQTT variable byte integer out of range: \(value)")
        var v = value
        repeat {
            var b = UInt8(v & 0x7F)
            v >>= 7
            if v > 0 { b |= 0x80 }
            writeInteger(b)
        } while v > 0
    }

    /// Strings over 65,535 UTF-8 bytes cannot be represented on the wire; callers must not build them.
    mutating func writeMQTTString(_ string: String) {
        let count = string.utf8.count
        precondition(count <= 65_535, "MQTT string longer than 65535 bytes")
        writeInteger(UInt16(count))
        writeString(string)
    }

    mutating func writeMQTTBinary(_ bytes: [UInt8]) {
        precondition(bytes.count <= 65_535, "MQTT binary data longer than 65535 bytes")
        writeInteger(UInt16(bytes.count))
        writeBytes(bytes)
    }

    mutating func writeMQTTBinary(_ bytes: ByteBuffer) {
        precondition(bytes.readableBytes <= 65_535, "MQTT binary data longer than 65535 bytes")
        writeInteger(UInt16(bytes.readableBytes))
        writeImmutableBuffer(bytes)
    }
}

extension MQTTDecodeError {
    static func truncated(_ what: String) -> MQTTDecodeError {
        MQTTDecodeError(.malformedPacket, "packet too short for \(what)")
    }

    static func malformed(_ detail: String) -> MQTTDecodeError {
        MQTTDecodeError(.malformedPacket, detail)
    }

    static func protocolError(_ detail: String) -> MQTTDecodeError {
        MQTTDecodeError(.protocolError, detail)
    }
}

extension String {
    /// Bytes this string takes on the wire: two length bytes plus its UTF-8.
    var mqttEncodedSize: Int { 2 + utf8.count }
}
