import NIOCore
import PierSTOMP

/// `pier pub --stomp`/`pier sub --stomp` over STOMP 1.2: sends ask for receipts, so `pier pub` ends
/// only once the broker has taken every message.
struct STOMPClientSession: ClientSession {
    let request: ClientRequest
    private var decoder = STOMPFrameDecoder(version: .v1_2)
    private var receipts = Set<String>()
    private var received = 0

    init(request: ClientRequest) {
        self.request = request
    }

    mutating func decode(_ buffer: inout ByteBuffer) throws -> STOMPFrame? {
        while let event = try decoder.next(&buffer) {
            if case .frame(let frame) = event { return frame }
        }
        return nil
    }

    func encode(_ frame: STOMPFrame, into buffer: inout ByteBuffer) {
        STOMPFrameEncoder.encode(frame, version: .v1_2, into: &buffer)
    }

    /// Heart-beats are declined in CONNECT (`0,0`).
    var keepAlive: (packet: STOMPFrame, every: TimeAmount)? { nil }

    func start() -> [ClientStep<STOMPFrame>] {
        var connect = STOMPFrame(.connect, ["accept-version": "1.2", "host": "/", "heart-beat": "0,0"])
        if let username = request.username { connect.setHeader("login", username) }
        if let password = request.password { connect.setHeader("passcode", password) }
        return [.send(connect)]
    }

    mutating func receive(_ frame: STOMPFrame) -> [ClientStep<STOMPFrame>] {
        switch frame.command {
        case .connected:
            return connected()
        case .receipt:
            if let id = frame.header("receipt-id") { receipts.remove(id) }
            return receipts.isEmpty ? Self.done : []
        case .message:
            let body = String(buffer: frame.body)
            var steps: [ClientStep<STOMPFrame>] = [.output(request.verbose ? "\(frame.header("destination") ?? "") \(body)" : body)]
            if request.qos > 0, let ack = frame.header("ack") { steps.append(.send(STOMPFrame(.ack, ["id": ack]))) }
            received += 1
            if case .subscribe(let count?) = request.action, received >= count { steps += Self.done }
            return steps
        case .error:
            var detail = String(buffer: frame.body)
            while let last = detail.last, last.isWhitespace { detail.removeLast() }
            let message = frame.header("message") ?? "error"
            return [.finish(.failure(ClientError(detail.isEmpty ? message : "\(message): \(detail)")))]
        default:
            return []
        }
    }

    private mutating func connected() -> [ClientStep<STOMPFrame>] {
        switch request.action {
        case .publish(let messages, _):
            var steps: [ClientStep<STOMPFrame>] = []
            for (index, body) in messages.enumerated() {
                let receipt = "r-\(index)"
                receipts.insert(receipt)
                var frame = STOMPFrame(.send, ["destination": request.destination, "receipt": receipt], body: body)
                if request.qos > 0 { frame.setHeader("persistent", "true") }
                steps.append(.send(frame))
            }
            return messages.isEmpty ? Self.done : steps
        case .subscribe:
            return [.send(STOMPFrame(.subscribe, ["id": "0", "destination": request.destination,
                                                  "ack": request.qos > 0 ? "client-individual" : "auto"]))]
        }
    }

    private static let done: [ClientStep<STOMPFrame>] = [.send(STOMPFrame(.disconnect)), .finish(.success(()))]
}
