import NIOCore
import XCTest
@testable import PierSTOMP

/// Helpers shared by the codec tests.
enum STOMPCodecTestSupport {
    /// How a byte stream is cut into reads.
    enum Split: CustomStringConvertible {
        case whole
        case byteByByte
        case random(seed: UInt64)
        case at(Int)

        var description: String {
            switch self {
            case .whole: return "whole"
            case .byteByByte: return "byte by byte"
            case .random(let seed): return "random chunks (seed \(seed))"
            case .at(let i): return "split at \(i)"
            }
        }

        func chunks(_ count: Int) -> [Int] {
            switch self {
            case .whole: return count == 0 ? [] : [count]
            case .byteByByte: return Array(repeating: 1, count: count)
            case .at(let i): return [i, count - i].filter { $0 > 0 }
            case .random(let seed):
                var rng = SplitMix64(seed: seed)
                var sizes: [Int] = []
                var left = count
                while left > 0 {
                    let n = min(left, Int(rng.next() % 17) + 1)
                    sizes.append(n)
                    left -= n
                }
                return sizes
            }
        }
    }

    /// The splits every stream is checked under.
    static let splits: [Split] = [.whole, .byteByByte, .random(seed: 1), .random(seed: 42), .random(seed: 7777)]

    struct Outcome: Equatable {
        var events: [STOMPDecoderEvent]
        var error: STOMPDecodeError?
        /// Bytes not consumed: an incomplete frame at the end, or everything from a bad frame on.
        var leftover: Int
    }

    /// Feeds `bytes` to one decoder in `split`'s chunks, draining events after each chunk like a handler does.
    static func decode(_ bytes: [UInt8], version: STOMPVersion, limits: STOMPDecoderLimits = .init(),
                       split: Split = .whole) -> Outcome {
        var decoder = STOMPFrameDecoder(version: version, limits: limits)
        var buffer = ByteBuffer()
        var events: [STOMPDecoderEvent] = []
        var offset = 0
        for (i, size) in split.chunks(bytes.count).enumerated() {
            buffer.writeBytes(bytes[offset..<offset + size])
            offset += size
            do {
                while let event = try decoder.next(&buffer) { events.append(event) }
            } catch {
                return Outcome(events: events, error: error, leftover: bytes.count - offset + buffer.readableBytes)
            }
            // What a cumulation buffer does now and then: the reader index moves, the unread bytes do not.
            if i % 5 == 4 { buffer.discardReadBytes() }
        }
        return Outcome(events: events, error: nil, leftover: buffer.readableBytes)
    }

    /// Decodes under every split in `splits` and asserts they agree; returns the whole-buffer outcome.
    static func decodeEverySplit(_ bytes: [UInt8], version: STOMPVersion, limits: STOMPDecoderLimits = .init(),
                                 file: StaticString = #filePath, line: UInt = #line) -> Outcome {
        let reference = decode(bytes, version: version, limits: limits)
        for split in splits.dropFirst() {
            let other = decode(bytes, version: version, limits: limits, split: split)
            XCTAssertEqual(other, reference, "\(split) differs from whole", file: file, line: line)
        }
        return reference
    }

    /// The frames of a stream that must decode cleanly and completely, heart-beats dropped.
    static func frames(_ bytes: [UInt8], version: STOMPVersion, file: StaticString = #filePath,
                       line: UInt = #line) -> [STOMPFrame] {
        let out = decodeEverySplit(bytes, version: version, file: file, line: line)
        XCTAssertNil(out.error, file: file, line: line)
        XCTAssertEqual(out.leftover, 0, "incomplete frame left over", file: file, line: line)
        return out.events.compactMap { if case .frame(let f) = $0 { return f } else { return nil } }
    }

    static func encode(_ frame: STOMPFrame, _ version: STOMPVersion) -> [UInt8] {
        var b = ByteBuffer()
        STOMPFrameEncoder.encode(frame, version: version, into: &b)
        return Array(b.readableBytesView)
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    static func body(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }
}

/// Small deterministic generator, so a failing random split can be replayed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
