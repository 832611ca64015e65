import Foundation
import NIOCore
import XCTest
@testable import PierOpenWire

/// Frames captured between Debian's activemq-client 5.17.2 and an ActiveMQ 5.17.2 broker, with
/// `wireFormat.tightEncodingEnabled=false&wireFormat.cacheEnabled=false` (so loose, uncached, stack
/// traces on). Each file is one frame as it crossed the wire, size prefix included, named
/// `<scenario>-<connection>-<direction>-<index>-t<type>-<Name>.bin`. Every one must decode and encode
/// back to the same bytes.
final class OpenWireFixtureTests: XCTestCase {
    private typealias S = OpenWireCodecTestSupport

    /// Decodes and re-encodes every frame under `directory` (recursively); returns the type ids seen.
    @discardableResult
    private func roundTripEveryFrame(under directory: URL, file: StaticString = #filePath, line: UInt = #line) throws -> Set<UInt8> {
        let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "bin" }.sorted { $0.path < $1.path } ?? []
        var types: Set<UInt8> = []
        var failures = 0
        for url in files {
            let bytes = [UInt8](try Data(contentsOf: url))
            guard bytes.count > 4 else { continue }
            // The WireFormatInfo exchange always happens with the initial options; the rest negotiated ones.
            let options = bytes[4] == 1 ? OpenWireFormatOptions() : S.negotiated
            do {
                guard let command = try S.decode(bytes, options: options) else {
                    XCTFail("\(url.lastPathComponent): incomplete frame", file: file, line: line)
                    failures += 1
                    continue
                }
                XCTAssertEqual(command.typeID.rawValue, bytes[4], url.lastPathComponent, file: file, line: line)
                let again = S.frame(command, options: options)
                if again != bytes {
                    failures += 1
                    let firstDifference = zip(again, bytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                    XCTFail("\(url.lastPathComponent): re-encoded \(again.count) bytes differ from \(bytes.count) at \(firstDifference.map(String.init) ?? "end")",
                            file: file, line: line)
                }
                types.insert(bytes[4])
            } catch {
                failures += 1
                XCTFail("\(url.lastPathComponent): \(error)", file: file, line: line)
            }
            if failures > 20 { break }
        }
        XCTAssertFalse(files.isEmpty, "no fixtures under \(directory.path)", file: file, line: line)
        print("\(files.count) frames under \(directory.lastPathComponent), \(failures) failed")
        return types
    }

    func testCommittedFixturesRoundTripByteForByte() throws {
        let types = try roundTripEveryFrame(under: S.fixtureDirectory)
        // Every command type the capture produced is committed.
        let expected: Set<UInt8> = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
                                    28, 29, 30, 31, 33, 34]
        XCTAssertEqual(types.intersection(expected), expected, "missing: \(expected.subtracting(types).sorted())")
    }

    /// The whole capture, when it is on this machine (`OW_CAPTURE_DIR`, default /work/ow-fixtures/out/loose).
    func testWholeCaptureRoundTripsByteForByte() throws {
        let path = ProcessInfo.processInfo.environment["OW_CAPTURE_DIR"] ?? "/work/ow-fixtures/out/loose"
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("no capture at \(path)") }
        let types = try roundTripEveryFrame(under: URL(fileURLWithPath: path))
        print("capture: type ids \(types.sorted())")
    }
}
