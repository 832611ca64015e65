import ArgumentParser
import PierHA
import PierServer

#if canImport(Glibc)
import Glibc
#endif

/// `pier status --data DIR`: which process holds a data directory, how fresh its lease is, and whether
/// a standby is waiting. Reads only; safe to run beside a running pair.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the active/standby state of a data directory.",
        discussion: "Exit status: 0 when a process is active, 3 when none is (as in LSB init scripts).")

    @Option(name: .long, help: "Data directory (default: the config's data_dir).")
    var data: String?

    @Option(name: .long, help: "YAML config file to take data_dir from.")
    var config: String?

    func run() throws {
        let directory: String
        if let data {
            directory = data
        } else {
            do {
                directory = try (config.map { try PierConfig.load(path: $0) } ?? PierConfig.default).dataDir
            } catch {
                FileHandleStderr.write("pier: \(error)\n")
                throw ExitCode(2)
            }
        }
        var st = stat()
        guard stat(directory, &st) == 0 else {
            print("data_dir: \(directory) does not exist")
            throw ExitCode(3)
        }
        let status: PairStatus
        do {
            status = try PairStatus.read(dataDirectory: directory)
        } catch {
            FileHandleStderr.write("pier: \(error)\n")
            throw ExitCode(1)
        }
        print("data_dir: \(directory)")
        print(status.text)
        if !status.hasActive { throw ExitCode(3) }
    }
}
