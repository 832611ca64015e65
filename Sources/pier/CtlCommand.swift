import ArgumentParser
import PierClient
import PierServer

#if canImport(Glibc)
import Glibc
#endif

/// `pier ctl`: a running broker through its HTTP admin API, for operators and scripts. The options
/// here may be given before or after the subcommand; the subcommands only say what to ask.
struct CtlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Inspect and manage a running broker through its HTTP admin API.",
        discussion: """
        The user must be in the broker's password file with an `admin` line in its ACL section. \
        Without --url, --user or --password, the environment's PIER_URL, PIER_USER and PIER_PASSWORD \
        are used, so a password need not appear on the command line. Tables are for people; --json \
        prints the API's own JSON (docs/admin-api.yaml) for scripts.

        Exit status: 0 done; 1 refused for another reason (400, 5xx) or an unreadable answer; \
        3 the API cannot be reached (connection refused, TLS failure, timeout); 4 credentials missing \
        or wrong (401); 5 the user has no admin grant (403); 6 no such queue, connection, bridge (404); \
        64 bad usage (including a bad URL or CA file).
        """,
        subcommands: [Status.self, Connections.self, Queues.self, Browse.self, Purge.self, Move.self, Bridges.self, Retained.self])

    @Option(help: "Admin API URL, http:// or https:// (env PIER_URL; default \(AdminEndpoint.defaultURL)).")
    var url: String?

    @Option(help: "User name (env PIER_USER).")
    var user: String?

    @Option(help: "Password (env PIER_PASSWORD, which keeps it out of the process list).")
    var password: String?

    @Option(help: "PEM file of the CA that signed the broker's certificate (https; default: the system's trust store).")
    var cacert: String?

    @Flag(help: "Print the API's JSON unchanged instead of tables.")
    var json = false

    func perform(_ operation: AdminOperation) throws {
        let user = self.user ?? Self.environment("PIER_USER")
        let password = self.password ?? Self.environment("PIER_PASSWORD")
        do throws(AdminFailure) {
            let endpoint = try AdminEndpoint(url: url ?? Self.environment("PIER_URL") ?? AdminEndpoint.defaultURL)
            let responses = try AdminClient.send(operation.requests, to: endpoint, user: user, password: password, caFile: cacert)
            FileDescriptorOutput.write(try operation.output(for: responses, json: json, user: user), to: 1)
        } catch {
            FileHandleStderr.write("pier ctl: \(error)\n")
            throw ExitCode(error.exitCode)
        }
    }

    /// An unset or empty variable counts as not given.
    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name).map({ String(cString: $0) }), !value.isEmpty else { return nil }
        return value
    }
}

/// A `pier ctl` subcommand: the operation it stands for, carried out with `pier ctl`'s options.
protocol CtlSubcommand: ParsableCommand {
    var ctl: CtlCommand { get }
    var operation: AdminOperation { get }
}

extension CtlSubcommand {
    func run() throws {
        try ctl.perform(operation)
    }
}
