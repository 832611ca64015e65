/// How a process shares its data directory with a standby (the `ha:` config section).
public struct HAOptions: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable, Codable {
        /// A process that finds the directory held waits as the standby.
        case exclusive
        /// A process that finds the directory held exits, for users who never meant to share it.
        case refuse
    }

    public var mode: Mode
    /// How often a standby looks at the lock and the lease.
    public var pollMillis: Int
    /// How often the active renews its lease.
    public var leaseMillis: Int
    /// How long a lease stays valid without a renewal. A standby that watched it unchanged this long
    /// may take over; the active stops writing at three quarters of it, so the two never overlap.
    /// 5 s by default: a loaded 2-core machine once left the renewal thread unscheduled for over 650 ms,
    /// and a lapse is final (the process exits), so a short timeout turns a stall into a failover.
    /// Takeover on one host does not wait for it (the holder's death is proven); across hosts it does.
    public var leaseTimeoutMillis: Int

    public init(mode: Mode = .exclusive, pollMillis: Int = 100, leaseMillis: Int = 100, leaseTimeoutMillis: Int = 5000) {
        self.mode = mode
        self.pollMillis = pollMillis
        self.leaseMillis = leaseMillis
        self.leaseTimeoutMillis = leaseTimeoutMillis
    }

    /// The part of the lease the active may write in: a quarter of the timeout is left for a write
    /// that started in time to land before a standby can have seen the lease go stale.
    public var writeWindowMillis: Int { leaseTimeoutMillis * 3 / 4 }
}
