import PierFuzzDriver
import PierHA
import PierStore

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer entry point: the bytes are one batch, a whole segment to recover, and the lease file another
/// process (or host) may have written into the data directory. None may trap, whatever they hold.
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
    if let lease = LeaseRecord.decode(Array(bytes)) {
        // Whatever decodes must encode back to a record that decodes to the same thing.
        precondition(LeaseRecord.decode(lease.encoded()) == lease, "lease record does not round-trip")
    }
    return 0
}

#if FUZZING
@_cdecl("PierStoreFuzz_main")
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
