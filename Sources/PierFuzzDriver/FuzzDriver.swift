#if canImport(Glibc)
import Glibc
#endif

/// What every libFuzzer target of Pier shares: handing control to libFuzzer's driver (built with
/// `-sanitize=fuzzer -DFUZZING`), or, in a plain build, replaying the files named on the command line
/// through the target, to reproduce a crash under a debugger.
public enum FuzzDriver {
    public typealias Body = (UnsafePointer<UInt8>, Int) -> CInt

    #if FUZZING
    /// SwiftPM links an executable with `--defsym main=<Product>_main`, so libFuzzer's own `main` never
    /// gets linked in; each target's `<Product>_main` calls this instead.
    public static func run(argc: CInt, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                           _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt {
        var argc = argc
        var argv = argv
        return LLVMFuzzerRunDriver(&argc, &argv, callback)
    }
    #endif

    public static func replay(_ paths: [String], _ body: Body) {
        for path in paths {
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
            _ = bytes.withUnsafeBufferPointer { body($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
            print("\(path): ok (\(bytes.count) bytes)")
        }
    }
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif
