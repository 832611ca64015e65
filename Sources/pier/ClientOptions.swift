import ArgumentParser
import PierClient
import PierServer

/// The options `pier pub` and `pier sub` share, spelled as mosquitto_pub's and mosquitto_sub's.
struct ClientOptions: ParsableArguments {
    @Option(name: [.customShort("h"), .long], help: "Broker host.")
    var host = "127.0.0.1"

    @Option(name: [.short, .long], help: "Broker port (default 1883, or 61613 with --stomp).")
    var port: Int?

    @Option(name: [.short, .long], help: "User name.")
    var username: String?

    @Option(name: [.customShort("P"), .long], help: "Password.")
    var password: String?

    @Option(name: [.customShort("i"), .long], help: "Client id (MQTT).")
    var id: String?

    @Option(name: [.short, .long], help: "MQTT topic (or filter), or with --stomp a destination such as /queue/jobs.")
    var topic: String

    @Option(name: [.short, .long], help: "QoS 0, 1 or 2; with --stomp, 1 or 2 means persistent sends and acknowledged receipt.")
    var qos: UInt8 = 0

    @Flag(name: .long, help: "Speak STOMP 1.2 instead of MQTT 5.")
    var stomp = false

    func validate() throws {
        guard qos <= 2 else { throw ValidationError("--qos must be 0, 1 or 2") }
    }

    func request(_ action: ClientRequest.Action, verbose: Bool, defaultID: String) -> ClientRequest {
        ClientRequest(host: host, port: port ?? (stomp ? 61613 : 1883), username: username, password: password,
                      clientID: id ?? defaultID, destination: topic, qos: qos, action: action, verbose: verbose)
    }

    var proto: ClientRunner.WireProtocol { stomp ? .stomp : .mqtt }

    /// One line straight to standard output: a subscriber piped into another program shows each message
    /// as it arrives, not when a stdio buffer fills.
    static let writeLine: @Sendable (String) -> Void = { line in
        FileDescriptorOutput.write(line + "\n", to: 1)
    }
}
