import Foundation
import Logging
import XCTest

@testable import PierHA

/// A fresh data directory under /tmp.
func makeDataDirectory() throws -> String {
    let dir = NSTemporaryDirectory() + "pier-ha-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Short timings, so tests that wait out a lease stay fast, but a window (750 ms) that a loaded CI machine
/// does not lapse by starving the renewal thread.
let fastOptions = HAOptions(pollMillis: 20, leaseMillis: 20, leaseTimeoutMillis: 1000)

/// A holder on a host this process cannot see into: nothing about it can be proven, only waited out.
let remoteHolder = ProcessIdentity(pid: 1, startTicks: 1, pidNamespace: 1, bootID: "another-boot", host: "elsewhere")

/// Runs `body` on its own thread; `wait` returns its result.
final class Background<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, any Error>?

    init(_ body: @escaping @Sendable () throws -> T) {
        Thread.detachNewThread { [self] in
            result = Result { try body() }
            done.signal()
        }
    }

    func wait(seconds: Double) -> Result<T, any Error>? {
        done.wait(timeout: .now() + seconds) == .success ? result : nil
    }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
