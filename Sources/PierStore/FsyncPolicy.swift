/// When the writer calls fsync, and so what an `onCommit` success means.
public enum FsyncPolicy: Sendable, Equatable {
    /// Fsync every group-committed batch before its callbacks run: success means durable.
    case always
    /// Callbacks run once the batch is written (in the page cache): success means "written",
    /// not "synced". Fsync happens at most every `milliseconds`, so a power loss can drop up to
    /// that much acknowledged data; a process crash loses nothing.
    case interval(milliseconds: Int)
    /// Never fsync (the OS flushes when it likes). Success means written.
    case never
}
