import FoundationEssentials
import NIOHTTP1
import PierAdminModel

/// A status and a JSON body (none for 204).
public struct AdminResponse: Sendable {
    public var status: HTTPResponseStatus
    public var body: [UInt8]
    public var headers: [(String, String)]

    public init(status: HTTPResponseStatus, body: [UInt8] = [], headers: [(String, String)] = []) {
        self.status = status
        self.body = body
        self.headers = headers
    }

    /// The Prometheus text exposition format, version 0.0.4.
    static func metrics(_ body: [UInt8]) -> AdminResponse {
        AdminResponse(status: .ok, body: body, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")])
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static func json(_ value: some Encodable, status: HTTPResponseStatus = .ok) -> AdminResponse {
        do {
            return AdminResponse(status: status, body: Array(try encoder.encode(value)))
        } catch {
            return AdminResponse(status: .internalServerError, body: Array(#"{"error":"encoding failed"}"#.utf8))
        }
    }

    static func failure(_ status: HTTPResponseStatus, _ message: String, headers: [(String, String)] = []) -> AdminResponse {
        var r = json(AdminDocument.Failure(error: message), status: status)
        r.headers = headers
        return r
    }

    static let noContent = AdminResponse(status: .noContent)
}
