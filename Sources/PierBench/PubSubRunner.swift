import NIOCore
import PierCore
import PierMQTT

#if canImport(Glibc)
import Glibc
#endif

/// Runs `pub`, `sub` or `pubsub`: connects the subscribers, then the publishers, publishes for the
/// duration, waits for stragglers, and sums what every event loop counted.
public struct PubSubRunner {
    public enum Side: String, Sendable {
        case pub, sub, pubsub

        public var publishes: Bool { self != .sub }
        public var subscribes: Bool { self != .pub }
    }

    public var target: BenchTarget
    public var config: PubSubConfig
    public var side: Side
    /// Receives a progress line about once a second.
    public var progress: ((String) -> Void)?

    /// Connections being set up at once; more only overflows the broker's accept backlog.
    static let connectBatch = 200

    public init(target: BenchTarget, config: PubSubConfig, side: Side, progress: ((String) -> Void)? = nil) {
        self.target = target
        self.config = config
        self.side = side
        self.progress = progress
    }

    /// The options of every connection this side opens, subscribers first; `index` is global so that
    /// separate `pub` and `sub` processes never share a client id.
    func connectionPlan() -> (subscribers: [BenchClientHandler.Options], publishers: [BenchClientHandler.Options]) {
        let pid = getpid()
        var subs: [BenchClientHandler.Options] = []
        var pubs: [BenchClientHandler.Options] = []
        if side.subscribes {
            for i in 0..<config.subscriberCount {
                subs.append(.init(clientID: "\(target.clientIDPrefix)-\(pid)-s\(i)", version: target.version,
                                  keepAlive: target.keepAlive, subscribeFilter: config.filter(forSubscriber: i),
                                  subscribeQoS: config.qos))
            }
        }
        if side.publishes {
            for i in 0..<config.publisherCount {
                let spec = BenchClientHandler.PublisherOptions(topic: config.topic(forPublisher: i), qos: config.qos,
                                                               size: config.size, rate: config.rate,
                                                               inflight: config.inflight, index: UInt32(i))
                pubs.append(.init(clientID: "\(target.clientIDPrefix)-\(pid)-p\(i)", version: target.version,
                                  keepAlive: target.keepAlive, publisher: spec))
            }
        }
        return (subs, pubs)
    }

    public func run() -> PubSubResult {
        let flow = side == .pubsub ? FlowControl(fanOut: config.fanOut, backlog: config.backlog) : nil
        let connector = BenchConnector(target: target, flow: flow)
        defer { connector.shutdown() }
        let plan = connectionPlan()

        var result = PubSubResult(command: side.rawValue, broker: target.brokerName,
                                  mqttVersion: target.version == .v5 ? "5" : "3.1.1", topology: config.topology,
                                  qos: Int(config.qos.rawValue), size: config.size,
                                  publishers: plan.publishers.count, subscribers: plan.subscribers.count,
                                  rate: config.rate, duration: config.duration)
        var errors: [String] = []
        let subscribers = open(plan.subscribers, firstIndex: 0, connector: connector, failures: &result.connectFailures, errors: &errors)
        let publishers = open(plan.publishers, firstIndex: plan.subscribers.count, connector: connector,
                              failures: &result.connectFailures, errors: &errors)
        progress?("connected \(subscribers.count) subscribers, \(publishers.count) publishers, \(result.connectFailures) failures")

        let start = BenchClock.now()
        let stop = start + UInt64(config.duration * 1e9)
        connector.setWindowEnd(stop)
        for channel in publishers {
            channel.pipeline.fireUserInboundEventTriggered(BenchClientEvent.startPublishing(start: start, stop: stop))
        }
        var last = LoopCounters()
        var lastTime = start
        while BenchClock.now() < stop {
            BenchSleep.seconds(min(1.0, Double(stop - min(BenchClock.now(), stop)) / 1e9))
            let now = BenchClock.now()
            let c = connector.counters()
            let dt = Double(now - lastTime) / 1e9
            if dt > 0.2 {
                progress?(ResultTable.number(Double(now - start) / 1e9, decimals: 1) + "s"
                    + "  sent \(ResultTable.number(Double(c.sent - last.sent) / dt))/s"
                    + "  received \(ResultTable.number(Double(c.received - last.received) / dt))/s"
                    + "  total sent \(ResultTable.number(c.sent)) received \(ResultTable.number(c.received))")
            }
            last = c
            lastTime = now
        }

        // Drain: stop once every expected delivery and acknowledgement is in, or nothing moved for a while.
        let expectedPerPublish = side == .pubsub ? config.fanOut : 0
        let drainEnd = BenchClock.now() + UInt64(config.drain * 1e9)
        var final = connector.counters()
        var lastChange = BenchClock.now()
        while BenchClock.now() < drainEnd {
            let complete = final.received >= final.sent * expectedPerPublish
                && (config.qos == .atMostOnce || final.acknowledged >= final.sent)
            if complete || BenchClock.now() - lastChange > 500_000_000 { break }
            BenchSleep.seconds(0.05)
            let c = connector.counters()
            if c.received != final.received || c.acknowledged != final.acknowledged { lastChange = BenchClock.now() }
            final = c
        }
        connector.disconnect(publishers + subscribers)
        final = connector.counters()

        let duration = config.duration
        result.sent = final.sent
        result.acknowledged = final.acknowledged
        result.sentPerSecond = (Double(final.sent) / duration).rounded()
        result.sentMbPerSecond = Double(final.sentBytes) / duration / 1e6
        result.received = final.received
        result.receivedPerSecond = (Double(final.receivedInWindow) / duration).rounded()
        result.receivedMbPerSecond = Double(final.receivedInWindowBytes) / duration / 1e6
        result.duplicates = final.duplicates
        if side == .pubsub {
            result.expected = final.sent * config.fanOut
            result.lost = max(0, result.expected - final.received)
        }
        result.latencyUs = connector.latency().summary
        result.errors = errors + final.errors.filter { !errors.contains($0) }
        return result
    }

    private func open(_ plans: [BenchClientHandler.Options], firstIndex: Int, connector: BenchConnector,
                      failures: inout Int, errors: inout [String]) -> [any Channel] {
        var channels: [any Channel] = []
        var i = 0
        while i < plans.count {
            let batch = plans[i..<min(i + Self.connectBatch, plans.count)]
            let futures = batch.enumerated().map { offset, options in
                connector.connect(index: firstIndex + i + offset, options: options)
            }
            for future in futures {
                do {
                    channels.append(try future.wait())
                } catch {
                    failures += 1
                    let text = "\(error)"
                    if errors.count < 10 && !errors.contains(text) { errors.append(text) }
                }
            }
            i += batch.count
        }
        return channels
    }
}
