/// Prefetch credit for one JMS consumer of several queues (`queue://a,b`). Each queue's core consumer has a
/// window of its own, but the client gives credit back for the consumer as a whole ("n more"). It goes to
/// the queues the oldest uncredited dispatches came from, so the total is conserved and every queue's
/// window stays bounded by the prefetch, whichever queue the client happens to be draining.
public struct OpenWireCompositeCredit: Sendable, Equatable {
    /// The queue (by index) of each dispatch not credited back yet, oldest first from `head`.
    private var outstanding: [Int] = []
    private var head = 0

    public init() {}

    public var uncredited: Int { outstanding.count - head }

    public mutating func dispatched(from queue: Int) {
        outstanding.append(queue)
    }

    /// How much of `n` returned credits each queue gets, by queue index.
    public mutating func returned(_ n: Int) -> [Int: Int] {
        let k = min(max(0, n), uncredited)
        var grants: [Int: Int] = [:]
        for i in head..<(head + k) { grants[outstanding[i], default: 0] += 1 }
        head += k
        if head == outstanding.count {
            outstanding.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 256 && head * 2 >= outstanding.count {
            outstanding.removeFirst(head)
            head = 0
        }
        return grants
    }
}
