import Logging

/// Wraps the handler `pier serve` bootstraps (text or JSON on standard error) and also hands each record
/// it emits to `AdminLogFanOut`, the console's log tail. The level filter is the wrapped handler's, so the
/// tail shows exactly what the log file gets.
public struct AdminLogHandler: LogHandler {
    private var inner: any LogHandler
    private let label: String
    private let fanOut: AdminLogFanOut

    public init(wrapping inner: any LogHandler, label: String, fanOut: AdminLogFanOut = .shared) {
        self.inner = inner
        self.label = label
        self.fanOut = fanOut
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        inner.log(event: event)
        guard fanOut.hasSubscribers else { return }
        var all = inner.metadata
        if let provided = inner.metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit = event.metadata { all.merge(explicit) { _, new in new } }
        if let error = event.error { all["error"] = "\(error)" }
        fanOut.publish(label: label, level: event.level, message: event.message.description, metadata: all, source: event.source)
    }
}
