import ArgumentParser
import NIOCore
import PierClient

#if canImport(Glibc)
import Glibc
#endif

/// `pier sub`: print the messages arriving on a topic or destination, one per line.
struct SubCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sub",
        abstract: "Print messages from an MQTT topic filter (or a STOMP destination with --stomp).",
        discussion: "Runs until interrupted, or until -C messages have arrived (exit 0), or -W seconds have passed (exit 1).",
        helpNames: [.long])

    @OptionGroup var client: ClientOptions

    @Option(name: .customShort("C"), help: "Exit after this many messages.")
    var count: Int?

    @Option(name: .customShort("W"), help: "Give up after this many seconds.")
    var wait: Int64?

    @Flag(name: [.short, .long], help: "Print the topic or destination before each message.")
    var verbose = false

    func run() throws {
        let request = client.request(.subscribe(count: count), verbose: verbose, defaultID: "pier-sub-\(getpid())")
        do {
            try ClientRunner.run(request, over: client.proto, timeout: wait.map { .seconds($0) }, output: ClientOptions.writeLine)
        } catch {
            FileHandleStderr.write("pier sub: \(error)\n")
            throw ExitCode(1)
        }
    }
}
