import PierStore

/// The lease an active writes into `pier.lease` in its data directory: who holds the directory, since when,
/// and whether it let go. One text line, so `cat` shows it and a standby on another host can read it.
public struct LeaseRecord: Sendable, Equatable {
    public enum State: String, Sendable {
        case active
        /// Written by a clean shutdown: a standby may take over at once.
        case released
    }

    public var state: State
    /// Random per takeover; a record with another owner means someone else took the lease.
    public var owner: UInt64
    /// Counts takeovers of this directory: each new active writes the previous epoch + 1.
    public var epoch: UInt64
    /// Counts renewals within one epoch.
    public var sequence: UInt64
    public var holder: ProcessIdentity
    /// Wall clock of the last renewal, for `pier status`; takeover decisions never compare it across hosts.
    public var renewedMillis: Int64
    public var leaseMillis: Int
    public var timeoutMillis: Int

    public init(state: State, owner: UInt64, epoch: UInt64, sequence: UInt64, holder: ProcessIdentity,
                renewedMillis: Int64, leaseMillis: Int, timeoutMillis: Int) {
        self.state = state
        self.owner = owner
        self.epoch = epoch
        self.sequence = sequence
        self.holder = holder
        self.renewedMillis = renewedMillis
        self.leaseMillis = leaseMillis
        self.timeoutMillis = timeoutMillis
    }

    /// Always this long, so each renewal overwrites the last in one `pwrite` and the file never shrinks.
    public static let encodedSize = 512
    static let magic = "pier-lease"

    public func encoded() -> [UInt8] {
        let body = "\(Self.magic) 1 state=\(state.rawValue) owner=\(hex(owner, width: 16)) epoch=\(epoch) seq=\(sequence)"
            + " pid=\(holder.pid) start=\(holder.startTicks) pidns=\(holder.pidNamespace) boot=\(holder.bootID) host=\(holder.host)"
            + " renewed_ms=\(renewedMillis) lease_ms=\(leaseMillis) timeout_ms=\(timeoutMillis)"
        var bytes = Array(body.utf8)
        bytes += Array(" crc=\(hex(UInt64(CRC32C.checksum(bytes)), width: 8))\n".utf8)
        precondition(bytes.count < Self.encodedSize, "lease record too long")
        bytes += [UInt8](repeating: 0x20, count: Self.encodedSize - bytes.count - 1) + [0x0A]
        return bytes
    }

    /// nil for anything but a whole, intact record: a torn read, a foreign file, a half-written one.
    public static func decode(_ bytes: [UInt8]) -> LeaseRecord? {
        guard let newline = bytes.firstIndex(of: 0x0A) else { return nil }
        let line = bytes[..<newline]
        guard let crcStart = line.lastRange(of: Array(" crc=".utf8)) else { return nil }
        let body = Array(line[..<crcStart.lowerBound])
        guard let crc = UInt32(String(decoding: line[crcStart.upperBound...], as: UTF8.self), radix: 16),
              crc == CRC32C.checksum(body) else { return nil }
        let words = String(decoding: body, as: UTF8.self).split(separator: " ")
        guard words.count >= 2, words[0] == Self.magic, words[1] == "1" else { return nil }
        var fields: [Substring: Substring] = [:]
        for word in words.dropFirst(2) {
            guard let eq = word.firstIndex(of: "=") else { return nil }
            fields[word[..<eq]] = word[word.index(after: eq)...]
        }
        func number<T: FixedWidthInteger>(_ key: Substring, radix: Int = 10) -> T? { fields[key].flatMap { T($0, radix: radix) } }
        guard let state = fields["state"].flatMap({ State(rawValue: String($0)) }),
              let owner: UInt64 = number("owner", radix: 16), let epoch: UInt64 = number("epoch"),
              let sequence: UInt64 = number("seq"), let pid: Int32 = number("pid"), let start: UInt64 = number("start"),
              let pidns: UInt64 = number("pidns"), let boot = fields["boot"], let host = fields["host"],
              let renewed: Int64 = number("renewed_ms"), let lease: Int = number("lease_ms"),
              let timeout: Int = number("timeout_ms")
        else { return nil }
        let holder = ProcessIdentity(pid: pid, startTicks: start, pidNamespace: pidns, bootID: String(boot), host: String(host))
        return LeaseRecord(state: state, owner: owner, epoch: epoch, sequence: sequence, holder: holder,
                           renewedMillis: renewed, leaseMillis: lease, timeoutMillis: timeout)
    }
}

private func hex(_ value: UInt64, width: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

extension ArraySlice where Element == UInt8 {
    fileprivate func lastRange(of needle: [UInt8]) -> Range<Int>? {
        guard count >= needle.count else { return nil }
        var i = endIndex - needle.count
        while i >= startIndex {
            if self[i..<(i + needle.count)].elementsEqual(needle) { return i..<(i + needle.count) }
            i -= 1
        }
        return nil
    }
}
