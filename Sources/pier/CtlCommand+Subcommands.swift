import ArgumentParser
import PierClient

/// The subcommands of `pier ctl`, each one admin API operation (two for `status`).
extension CtlCommand {
    struct Status: CtlSubcommand {
        static let configuration = CommandConfiguration(abstract: "Version, uptime, HA role, counts and listeners.")
        @ParentCommand var ctl: CtlCommand
        var operation: AdminOperation { .status }
    }

    struct Connections: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List client connections, or close one.", subcommands: [List.self, Close.self], defaultSubcommand: List.self)

        struct List: CtlSubcommand {
            static let configuration = CommandConfiguration(abstract: "List client connections of every protocol.")
            @ParentCommand var ctl: CtlCommand
            var operation: AdminOperation { .connections }
        }

        struct Close: CtlSubcommand {
            static let configuration = CommandConfiguration(abstract: "Close a connection (as a lost network would: an MQTT will is published).")
            @ParentCommand var ctl: CtlCommand
            @Argument(help: "The connection's ID, as `pier ctl connections` lists it.") var id: UInt64
            var operation: AdminOperation { .closeConnection(id: id) }
        }
    }

    struct Queues: CtlSubcommand {
        static let configuration = CommandConfiguration(abstract: "List queues with their depth, messages in flight and consumers.")
        @ParentCommand var ctl: CtlCommand
        var operation: AdminOperation { .queues }
    }

    struct Browse: CtlSubcommand {
        static let configuration = CommandConfiguration(abstract: "Show a queue's messages without consuming them.")
        @ParentCommand var ctl: CtlCommand
        @Argument(help: "Queue name.") var queue: String
        @Option(help: "At most this many messages (the API's default is 100, its maximum 1000).") var limit: Int?
        var operation: AdminOperation { .browse(queue: queue, limit: limit) }
        func validate() throws { try CtlCommand.checkLimit(limit) }
    }

    struct Purge: CtlSubcommand {
        static let configuration = CommandConfiguration(abstract: "Delete every message of a queue that is not in flight.")
        @ParentCommand var ctl: CtlCommand
        @Argument(help: "Queue name.") var queue: String
        var operation: AdminOperation { .purge(queue: queue) }
    }

    struct Move: CtlSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a queue's messages to another queue, or dead letters back where they came from.")
        @ParentCommand var ctl: CtlCommand
        @Argument(help: "Queue to move from.") var queue: String
        @Option(help: "Target queue, or `original` for each dead letter's original queue.") var to: String
        @Option(help: "At most this many messages (default: all).") var limit: Int?
        var operation: AdminOperation { .move(queue: queue, to: to, limit: limit) }
        func validate() throws { try CtlCommand.checkLimit(limit) }
    }

    struct Bridges: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List bridges, or pause or resume one.", subcommands: [List.self, Pause.self, Resume.self], defaultSubcommand: List.self)

        struct List: CtlSubcommand {
            static let configuration = CommandConfiguration(abstract: "List bridges with their uplink, backlog and counters.")
            @ParentCommand var ctl: CtlCommand
            var operation: AdminOperation { .bridges }
        }

        struct Pause: CtlSubcommand {
            static let configuration = CommandConfiguration(abstract: "Stop forwarding; messages are kept as backlog.")
            @ParentCommand var ctl: CtlCommand
            @Argument(help: "Bridge name.") var name: String
            var operation: AdminOperation { .pauseBridge(name: name) }
        }

        struct Resume: CtlSubcommand {
            static let configuration = CommandConfiguration(abstract: "Forward again, backlog first.")
            @ParentCommand var ctl: CtlCommand
            @Argument(help: "Bridge name.") var name: String
            var operation: AdminOperation { .resumeBridge(name: name) }
        }
    }

    struct Retained: CtlSubcommand {
        static let configuration = CommandConfiguration(abstract: "List retained messages.")
        @ParentCommand var ctl: CtlCommand
        var operation: AdminOperation { .retained }
    }

    static func checkLimit(_ limit: Int?) throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }
}
