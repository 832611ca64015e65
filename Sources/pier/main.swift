import ArgumentParser

struct Pier: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pier",
        abstract: "Pier, an MQTT-first edge message broker.",
        subcommands: [ServeCommand.self, PubCommand.self, SubCommand.self, CtlCommand.self, StatusCommand.self, PasswdCommand.self, ImportCommand.self, LogCommand.self, BenchStoreCommand.self, BenchCommand.self])
}

Pier.main()
