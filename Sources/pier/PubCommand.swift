import ArgumentParser
import NIOCore
import PierClient

#if canImport(Glibc)
import Glibc
#endif

/// `pier pub`: publish one or more messages and wait until the broker has acknowledged them (QoS 1/2,
/// or STOMP receipts), so a new user can try the broker with nothing else installed.
struct PubCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pub",
        abstract: "Publish messages over MQTT (or STOMP with --stomp).",
        discussion: "Exit status 0 once the broker has taken every message, 1 if it refused or could not be reached.",
        helpNames: [.long])

    @OptionGroup var client: ClientOptions

    @Option(name: [.short, .long], help: "A message to send (repeat for several).")
    var message: [String] = []

    @Flag(name: [.short, .customLong("stdin-line")], help: "Send each line of standard input as a message.")
    var lines = false

    @Flag(name: [.short, .long], help: "Retain the message (MQTT).")
    var retain = false

    func validate() throws {
        guard !message.isEmpty || lines else { throw ValidationError("give a message with -m, or -l to read lines from standard input") }
    }

    func run() throws {
        var bodies = message
        if lines {
            while let line = readLine() { bodies.append(line) }
        }
        let buffers = bodies.map { ByteBuffer(string: $0) }
        let request = client.request(.publish(buffers, retain: retain), verbose: false, defaultID: "pier-pub-\(getpid())")
        do {
            try ClientRunner.run(request, over: client.proto, timeout: .seconds(30), output: ClientOptions.writeLine)
        } catch {
            FileHandleStderr.write("pier pub: \(error)\n")
            throw ExitCode(1)
        }
    }
}
