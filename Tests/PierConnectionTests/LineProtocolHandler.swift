import NIOCore
import PierConnection
import PierCore

/// A toy protocol on `ConnectionCore`, as a real front end uses it: lines in, answers out.
/// `hello USER PASS` is admission; `ack X` answers `ok X` after a storage commit; `bye` closes
/// after pending acknowledgements; anything else is echoed in capitals.
final class LineProtocolHandler: ChannelInboundHandler, SweptConnection {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let core: ConnectionCore
    var sweeps = 0
    var admissions: [Admission] = []

    init(listener: ListenerContext) {
        core = ConnectionCore(listener: listener, protocolName: "line")
    }

    func handlerAdded(context: ChannelHandlerContext) { core.handlerAdded(context: context, swept: self) }
    func handlerRemoved(context: ChannelHandlerContext) { core.handlerRemoved() }

    func channelActive(context: ChannelHandlerContext) {
        core.channelActive()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        core.channelInactive()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        core.received(unwrapInboundIn(data))
        core.decodeInbound { buffer in
            guard let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return .wait }
            let line = buffer.readString(length: end - buffer.readerIndex)!
            buffer.moveReaderIndex(forwardBy: 1)
            if line == "garbage" { return .discard }
            handle(line)
            return .next
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        core.flush()
        context.fireChannelReadComplete()
    }

    func sweep(now: Int64) { sweeps += 1 }

    private func handle(_ line: String) {
        let words = line.split(separator: " ").map(String.init)
        switch words.first {
        case "hello":
            let admission = core.admit(username: words[1], password: Array(words[2].utf8),
                                       identity: ClientIdentity(clientID: "c", username: words[1]))
            admissions.append(admission)
            core.write { $0.writeString("\(admission)\n") }
        case "ack":
            let done = core.whenCommitted { [core] in core.write { $0.writeString("ok \(words[1])\n") } }
            core.listener.broker.afterCommit(done)
        case "bye":
            core.afterPendingCommits { [core] in
                core.write { $0.writeString("bye\n") }
                core.close()
            }
        default:
            core.write { $0.writeString(line.uppercased() + "\n") }
        }
    }
}
