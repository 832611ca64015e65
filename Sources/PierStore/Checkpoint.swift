/// A snapshot of state derived from the log: it reflects every record below `upToOffset`, and
/// replay continues at `upToOffset`.
public struct Checkpoint: Sendable, Equatable {
    public var upToOffset: UInt64
    public var snapshot: [UInt8]

    public init(upToOffset: UInt64, snapshot: [UInt8]) {
        self.upToOffset = upToOffset
        self.snapshot = snapshot
    }
}
