#if canImport(Glibc)
import Glibc
#endif

/// Why taking, keeping or inspecting the data directory's lock failed.
public enum HAError: Error, Sendable, Equatable, CustomStringConvertible {
    case system(String, Int32)
    /// `ha.mode: refuse` and another process holds the directory.
    case refused(String)

    public var description: String {
        switch self {
        case let .system(operation, code): return "\(operation): \(String(cString: strerror(code))) (errno \(code))"
        case let .refused(why): return why
        }
    }
}
