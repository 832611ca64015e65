/// Errors from the segment log, checkpoints and cursors.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed; `errno` is the raw value so callers can tell ENOSPC from EIO.
    case io(operation: String, path: String, errno: Int32)
    /// Damage that recovery will not silently drop: anywhere but the torn tail of the last segment.
    case corruption(segment: String, position: Int64, reason: String)
    /// The log was closed; nothing more is appended.
    case closed
    /// A write or fsync failed in a way that leaves the file's durable contents unknown, so the
    /// log refuses further appends instead of risking a hole. Reopen to recover.
    case failed(String)
    case offsetOutOfRange(requested: UInt64, start: UInt64, end: UInt64)
    case recordTooLarge(size: Int, limit: Int)
    case invalidArgument(String)
    /// The process lost its right to write to the data directory (see `WriteFence`); nothing more is written.
    case fenced

    public var description: String {
        switch self {
        case let .io(operation, path, errno):
            return "\(operation) \(path): \(SystemError.message(errno)) (errno \(errno))"
        case let .corruption(segment, position, reason):
            return "corruption in \(segment) at byte \(position): \(reason)"
        case .closed:
            return "the log is closed"
        case let .failed(reason):
            return "the log stopped after an unrecoverable error: \(reason)"
        case let .offsetOutOfRange(requested, start, end):
            return "offset \(requested) is outside the log [\(start), \(end))"
        case let .recordTooLarge(size, limit):
            return "record of \(size) bytes exceeds the limit of \(limit) bytes"
        case let .invalidArgument(reason):
            return reason
        case .fenced:
            return "the data directory is fenced: this process no longer holds its lease"
        }
    }
}
