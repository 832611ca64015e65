/// What one `pier ctl` subcommand asks of the admin API: the requests it makes, and how their answers
/// become the command's output. No I/O here; `AdminClient` sends the requests.
public enum AdminOperation: Sendable, Equatable {
    case status
    case connections
    case closeConnection(id: UInt64)
    case queues
    case browse(queue: String, limit: Int?)
    case purge(queue: String)
    /// `to` is a queue name or `original` (each dead letter back to the queue it came from).
    case move(queue: String, to: String, limit: Int?)
    case bridges
    case pauseBridge(name: String)
    case resumeBridge(name: String)
    case retained

    public var requests: [AdminHTTPRequest] {
        switch self {
        case .status: return [AdminHTTPRequest(.GET, ["broker"]), AdminHTTPRequest(.GET, ["listeners"])]
        case .connections: return [AdminHTTPRequest(.GET, ["connections"])]
        case .closeConnection(let id): return [AdminHTTPRequest(.DELETE, ["connections", String(id)])]
        case .queues: return [AdminHTTPRequest(.GET, ["queues"])]
        case .browse(let queue, let limit):
            return [AdminHTTPRequest(.GET, ["queues", queue, "messages"], query: limit.map { [("limit", String($0))] } ?? [])]
        case .purge(let queue): return [AdminHTTPRequest(.DELETE, ["queues", queue, "messages"])]
        case .move(let queue, let to, let limit):
            return [AdminHTTPRequest(.POST, ["queues", queue, "move"], query: [("to", to)] + (limit.map { [("limit", String($0))] } ?? []))]
        case .bridges: return [AdminHTTPRequest(.GET, ["bridges"])]
        case .pauseBridge(let name): return [AdminHTTPRequest(.POST, ["bridges", name, "pause"])]
        case .resumeBridge(let name): return [AdminHTTPRequest(.POST, ["bridges", name, "resume"])]
        case .retained: return [AdminHTTPRequest(.GET, ["retained"])]
        }
    }

    /// The command's standard output for the answers to `requests`, in order, or the failure the first
    /// refusal stands for. With `json`, the API's bodies are printed as they came (for `status`, both
    /// documents under `broker` and `listeners`); a 204 prints nothing.
    public func output(for responses: [AdminHTTPResponse], json: Bool, user: String?) throws(AdminFailure) -> String {
        for response in responses {
            if let failure = AdminFailure.from(status: response.status, body: response.body, user: user) { throw failure }
        }
        guard responses.count == requests.count else { throw .failed("the admin API gave \(responses.count) answers to \(requests.count) requests") }
        if json {
            let bodies = responses.map { String(decoding: $0.body, as: UTF8.self) }
            if case .status = self { return #"{"broker":\#(bodies[0]),"listeners":\#(bodies[1])}"# + "\n" }
            return bodies[0].isEmpty ? "" : bodies[0] + "\n"
        }
        return try AdminOutput.text(for: self, bodies: responses.map(\.body))
    }
}
