import Foundation
import NIOCore
import XCTest
@testable import PierOpenWire

/// The fuzz seeds under Fuzz/Seeds are a setup byte (see `Sources/PierOpenWireFuzz/Fuzz.swift`) and a
/// stream of frames. Each must decode completely under its setup, or the fuzzer starts from noise.
/// `OW_WRITE_SEEDS=1` rewrites the generated ones (the cache seeds, which no capture has).
final class OpenWireFuzzSeedTests: XCTestCase {
    private static let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Seeds")

    /// The fuzz target's reading of the setup byte.
    static func options(setup: UInt8) -> OpenWireFormatOptions {
        OpenWireFormatOptions(maxFrameSize: setup & 0x10 != 0 ? 300 : 1 << 20, stackTraceEnabled: setup & 0x01 != 0,
                              cacheEnabled: setup & 0x02 != 0, cacheSize: 128, maxNestingDepth: setup & 0x20 != 0 ? 3 : 32)
    }

    func testGeneratedSeedsAreCurrent() throws {
        let generated = try Self.generated()
        for (name, bytes) in generated {
            let url = Self.seeds.appendingPathComponent(name)
            if ProcessInfo.processInfo.environment["OW_WRITE_SEEDS"] == "1" {
                try Data(bytes).write(to: url)
            }
            XCTAssertEqual([UInt8](try Data(contentsOf: url)), bytes, "\(name) is stale: run with OW_WRITE_SEEDS=1")
        }
    }

    func testEverySeedDecodes() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.seeds.path).sorted()
        XCTAssertGreaterThanOrEqual(names.count, 20)
        for name in names {
            let bytes = [UInt8](try Data(contentsOf: Self.seeds.appendingPathComponent(name)))
            let options = Self.options(setup: bytes[0])
            var decoder = OpenWireFrameDecoder(options: options)
            var buffer = ByteBuffer(bytes: bytes.dropFirst())
            var count = 0
            do {
                while try decoder.next(&buffer) != nil { count += 1 }
            } catch {
                // The small-limit and shallow seeds are meant to stop on their limit, and the one read
                // without the stack traces it was written with on the first exception.
                if bytes[0] & 0x30 == 0 && !name.hasSuffix("-no-stacktrace") { XCTFail("\(name): \(error)") }
                continue
            }
            XCTAssertEqual(buffer.readableBytes, 0, name)
            XCTAssertGreaterThan(count, 0, name)
        }
    }

    /// Streams with the marshalling cache on: the sample commands twice over, so the second round is
    /// made of slot references.
    static func generated() throws -> [(String, [UInt8])] {
        var out: [(String, [UInt8])] = []
        for (name, setup) in [("cache-all-commands", UInt8(0x03)), ("cache-all-commands-chunked", UInt8(0x03 | 0x04))] {
            var encoder = OpenWireFrameEncoder(options: options(setup: setup))
            var wire = ByteBuffer()
            let commands = OpenWireSamples.allCommands
            for command in commands + commands where command.typeID != .wireFormatInfo {
                try encoder.encode(command, into: &wire)
            }
            out.append((name, [setup] + Array(wire.readableBytesView)))
        }
        return out
    }
}
