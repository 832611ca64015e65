import NIOCore

/// One header entry. Names and values are the decoded (unescaped) text.
public struct STOMPHeader: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name):\(value)" }
}

/// A STOMP frame: command, headers in wire order and a body.
///
/// Headers stay a list rather than a dictionary because the spec allows repeats and gives meaning to order
/// ("first wins"), and because a relay must not reorder what it forwards.
public struct STOMPFrame: Sendable, Equatable, CustomStringConvertible {
    public var command: STOMPCommand
    public var headers: [STOMPHeader]
    public var body: ByteBuffer

    public init(_ command: STOMPCommand, headers: [STOMPHeader] = [], body: ByteBuffer = ByteBuffer()) {
        self.command = command
        self.headers = headers
        self.body = body
    }

    /// Convenience for tests and the state machine: `STOMPFrame(.send, ["destination": ...])` keeps pair order.
    public init(_ command: STOMPCommand, _ headers: KeyValuePairs<String, String>, body: ByteBuffer = ByteBuffer()) {
        self.init(command, headers: headers.map { STOMPHeader($0.key, $0.value) }, body: body)
    }

    /// The value of the first header called `name`. Spec 1.1 and 1.2: "only the first header entry SHOULD be
    /// used as the value of header entry"; ActiveMQ and RabbitMQ do the same.
    public func header(_ name: String) -> String? {
        headers.first(where: { $0.name == name })?.value
    }

    /// Every value of `name`, in wire order (for relays and diagnostics).
    public func headers(named name: String) -> [String] {
        headers.filter { $0.name == name }.map(\.value)
    }

    /// Sets `name`, replacing its first occurrence in place and dropping later repeats, or appends it.
    public mutating func setHeader(_ name: String, _ value: String) {
        if let i = headers.firstIndex(where: { $0.name == name }) {
            headers[i].value = value
            var j = headers.index(after: i)
            while j < headers.endIndex {
                if headers[j].name == name { headers.remove(at: j) } else { j += 1 }
            }
        } else {
            headers.append(STOMPHeader(name, value))
        }
    }

    public var description: String {
        "\(command) \(headers.map(\.description)) body=\(body.readableBytes)B"
    }
}
