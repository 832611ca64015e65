import NIOCore
import PierCore

/// The transaction coordinator: declare and discharge onto the core's local transactions. A transfer
/// or an ack naming a txn-id is staged in that transaction (see `+Messages`); discharge commits it as
/// one log record, or rolls it back.
extension AMQPServerHandler {
    static let unknownTransaction = "amqp:transaction:unknown-id"

    static func hex(_ bytes: ByteBuffer) -> String {
        bytes.readableBytesView.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    func coordinate(_ key: AMQPLinkKey, deliveryID: UInt32, settled: Bool, payload: ByteBuffer) {
        func answer(_ state: AMQPDeliveryState) {
            if !settled { run(machine.settleIncoming(key, deliveryID: deliveryID, state: state)) }
        }
        let control: AMQPTransactionControl
        do throws(AMQPDecodeError) {
            let message = try AMQPMessage(decoding: payload)
            guard case .value(let value) = message.body else {
                throw .invalidField(type: "coordinator message", field: "body", found: .null)
            }
            control = try AMQPTransactionControl(decoding: value)
        } catch {
            return answer(.rejected(AMQPError(condition: AMQPError.decodeError, description: "\(error)")))
        }
        switch control {
        case .declare:
            var id = ByteBuffer()
            id.writeInteger(nextTransaction)
            nextTransaction += 1
            transactions[Array(id.readableBytesView)] = QueueTransaction()
            answer(.declared(txnID: id))
        case .discharge(let id, let fail):
            guard let transaction = transactions.removeValue(forKey: Array(id.readableBytesView)) else {
                return answer(.rejected(AMQPError(condition: Self.unknownTransaction, description: "no transaction \(Self.hex(id)) on this connection")))
            }
            if fail {
                broker.queues.rollback(transaction)
                return answer(.accepted)
            }
            let done = core.whenCommitted { answer(.accepted) }
            broker.queues.commit(transaction, publishTopic: { [broker] m in broker.publish(m) }) { _ in done() }
        }
    }
}
