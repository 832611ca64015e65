import PierStore

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer entry point: the bytes are one batch, and also a whole segment to recover. Neither
/// may trap, whatever they hold.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    _ = try? RecordBatch.decode(bytes)
    // Scan from the offset the first header claims, so a fuzzed valid batch reaches the
    // continuity and torn-tail logic rather than always failing on offsets.
    var base: UInt64 = 0
    if size >= 20 { base = bytes.loadUnaligned(fromByteOffset: 12, as: UInt64.self).littleEndian }
    // A small window makes the scanner's refill and boundary logic run on small inputs too.
    var scanner = SegmentScanner(source: MemoryByteSource(Array(bytes)), chunkSize: 64)
    _ = try? scanner.scan(baseOffset: base, indexInterval: 128)
    return 0
}

#if FUZZING
// SwiftPM links an executable with `--defsym main=PierStoreFuzz_main`, so libFuzzer's own `main`
// never gets linked in; this entry point hands control to libFuzzer's driver instead.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("PierStoreFuzz_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        guard let data, size > 0 else { return 0 }
        return fuzz(data, size)
    }
}
#else
/// Without libFuzzer (a plain `swift build`): run each file named on the command line through
/// the entry point, to reproduce a crash or replay a corpus under a debugger.
@main
struct FuzzReplay {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let f = fopen(path, "rb") else {
                print("cannot open \(path)")
                continue
            }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = fread(&chunk, 1, chunk.count, f)
                if n <= 0 { break }
                bytes += chunk[0..<n]
            }
            fclose(f)
            _ = bytes.withUnsafeBufferPointer { fuzz($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
            print("\(path): ok (\(bytes.count) bytes)")
        }
    }
}
#endif
