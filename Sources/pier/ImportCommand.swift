import ArgumentParser
import PierHA
import PierImport
import PierServer

#if canImport(Glibc)
import Glibc
#endif

/// `pier import mosquitto.conf`: writes the Pier configuration for an existing mosquitto setup, names
/// every directive it could not carry over (with its file and line), and checks that the result loads.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Translate a mosquitto.conf into a Pier configuration.",
        discussion: """
            Listeners (MQTT, WebSockets, TLS), anonymous access, the password and ACL files (used as they \
            are), persistence, queue and packet limits and include_dir are carried over. Every directive \
            that is not is listed on standard error with its line; MQTT bridges become a pointer to Pier's \
            AMQP bridges. Exit status: 0 when everything was carried over, 1 when some directives were not, \
            2 when the input cannot be read or the result does not load.
            """)

    @Argument(help: "The mosquitto configuration file.")
    var file: String

    @Option(name: .shortAndLong, help: "Write the Pier configuration here instead of standard output.")
    var output: String?

    func run() throws {
        guard let text = Self.read(file) else {
            FileHandleStderr.write("pier import: cannot read \(file)\n")
            throw ExitCode(2)
        }
        let reader = MosquittoConfReader(readFile: Self.read, listDirectory: Self.list)
        let result = MosquittoImport(text: text, file: file, reader: reader)
        do {
            _ = try PierConfig.parse(yaml: result.yaml)
        } catch {
            FileHandleStderr.write("pier import: the translated configuration does not load: \(error)\n")
            throw ExitCode(2)
        }
        if let output {
            guard Self.write(result.yaml, to: output) else {
                FileHandleStderr.write("pier import: cannot write \(output): \(String(cString: strerror(errno)))\n")
                throw ExitCode(2)
            }
        } else {
            print(result.yaml, terminator: "")
        }
        for note in result.notes { FileHandleStderr.write("not imported: \(note)\n") }
        if !result.notes.isEmpty { throw ExitCode(1) }
    }

    static func read(_ path: String) -> String? {
        if let text = readTextFile(path) { return text }
        return access(path, R_OK) == 0 ? "" : nil
    }

    static func list(_ path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func write(_ text: String, to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return FileDescriptorOutput.write(text, to: fd)
    }
}
