#if canImport(Glibc)
import Glibc
#endif

/// The whole of a small text file, read with plain `read` calls until EOF: `/proc` files report a size of
/// 0, so nothing that trusts `fstat` will do. nil if it cannot be opened or is empty.
public func readTextFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { break }
        out += chunk[0..<n]
    }
    return out.isEmpty ? nil : String(decoding: out, as: UTF8.self)
}
