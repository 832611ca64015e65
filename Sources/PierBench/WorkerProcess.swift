#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `bench conn --worker` child with a pipe on its stdin and one on its stdout, started with
/// posix_spawn: Foundation's `Process` would link Foundation (and its ICU) into the one `pier`
/// binary, and `pier serve` would carry their pages too.
///
/// Output is read without blocking whenever the parent calls `poll()`, so no reader thread is needed;
/// a worker writes only a `READY` line and one result line, well under a pipe's buffer.
final class WorkerProcess {
    let pid: pid_t
    private var input: Int32
    private let output: Int32
    private var pending: [UInt8] = []
    private(set) var lines: [String] = []
    private var outputClosed = false
    /// The exit code (128 + signal when killed); nil while it runs.
    private(set) var exitStatus: Int32?

    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    init(executable: String, arguments: [String]) throws(SpawnError) {
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0 else { throw SpawnError(description: "pipe: \(Self.lastError())") }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0]); close(toChild[1])
            throw SpawnError(description: "pipe: \(Self.lastError())")
        }
        // Glibc's module does not export pipe2; the parent spawns from one thread, so setting
        // close-on-exec right after pipe() leaves no window for another exec to inherit them.
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the child's 0 and 1; every other pipe end closes at exec.
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        let argv = ([executable] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, argv + [nil], environ)
        close(toChild[0])
        close(fromChild[1])
        guard status == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw SpawnError(description: "posix_spawn \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
        input = toChild[1]
        output = fromChild[0]
        _ = fcntl(output, F_SETFL, fcntl(output, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        if input >= 0 { close(input) }
        close(output)
    }

    /// Reads whatever output is there and notices an exit; never blocks.
    func poll() {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while !outputClosed {
            let n = read(output, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { break }  // EAGAIN: nothing more for now
            if n == 0 {
                outputClosed = true
                if !pending.isEmpty { lines.append(String(decoding: pending, as: UTF8.self)) }
                pending = []
                break
            }
            pending += chunk[0..<n]
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(String(decoding: pending[..<newline], as: UTF8.self))
                pending.removeSubrange(...newline)
            }
        }
        reap(options: WNOHANG)
    }

    var isRunning: Bool {
        poll()
        return exitStatus == nil
    }

    /// Writes `text` to the worker's stdin and closes it.
    func finishInput(with text: String) {
        guard input >= 0 else { return }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes = bytes.dropFirst(n)
        }
        close(input)
        input = -1
    }

    /// Waits for the exit and the end of the output, reading it meanwhile so a full pipe cannot stall the worker.
    @discardableResult
    func waitUntilExit() -> Int32 {
        while true {
            poll()
            if let exitStatus, outputClosed { return exitStatus }
            BenchSleep.seconds(0.01)
        }
    }

    private func reap(options: Int32) {
        guard exitStatus == nil else { return }
        var status: Int32 = 0
        let result = waitpid(pid, &status, options)
        guard result == pid else {
            if result < 0 && errno != EINTR { exitStatus = -1 }
            return
        }
        let signal = status & 0x7f
        exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
