/// Permission to write to the data directory, asked before every write that changes it.
///
/// An active/standby pair shares one data directory; the active's permission is its lease. Once the
/// lease may have passed to the standby the answer is no, and it never turns back to yes, so a process
/// that lost its lease appends nothing more, however long it keeps running.
public protocol WriteFence: Sendable {
    /// Cheap: asked once per batch write, fsync, checkpoint, cursor update and segment deletion.
    func permitsWrite() -> Bool
}
