import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM and SIGINT, caught from the start so that a standby, too, stops at once and cleanly.
final class ShutdownSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) private var sources: [any DispatchSourceSignal] = []

    init() {
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig)
            source.setEventHandler { [self] in
                flag.store(true, ordering: .releasing)
                done.signal()
            }
            source.resume()
            sources.append(source)
        }
    }

    var requested: Bool { flag.load(ordering: .acquiring) }

    func wait() { done.wait() }
}
