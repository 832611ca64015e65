import NIOConcurrencyHelpers
import NIOCore
import PierCore
import PierSelector

/// Temporary destinations and the advisories that tell every connection about them: without those a JMS
/// client refuses to send to another connection's temporary queue (ARTEMIS-980).
extension OpenWireChannelHandler {
    // MARK: - Temporary destinations and advisories

    func destination(_ info: OpenWireDestinationInfo, _ request: OpenWireRequest) {
        guard let d = info.destination, let name = d.physicalName else { return run(machine.completed(request)) }
        switch info.operationType {
        case .add:
            if shared.temporary(name) == nil {
                let coreName = d.kind == .tempQueue ? broker.queues.createTemporaryQueue(owner: owner)
                    : broker.queues.createTemporaryTopic(owner: owner)
                shared.addTemporary(d, coreName: coreName, owner: owner, connectionId: info.connectionId ?? machine.connectionId)
            }
            run(machine.completed(request))
        case .remove:
            if let t = shared.temporary(name), t.owner == owner {
                shared.removeTemporary(name)
                broker.queues.deleteTemporaryDestination(t.coreName, owner: owner)
            }
            run(machine.completed(request))
        default:
            run(machine.failed(request, OpenWireErrorClass.jms, "Unknown DestinationInfo operation \(info.operationType.rawValue)"))
        }
    }

    /// An advisory about a temporary destination to this connection's advisory consumers (all, or one
    /// that just subscribed and gets the existing ones replayed).
    func sendAdvisory(_ info: OpenWireDestinationInfo, only: OpenWireConsumerId? = nil) {
        guard let d = info.destination else { return }
        let isQueue = d.kind == .tempQueue
        let topic = OpenWireDestination.topic(isQueue ? OpenWireDestinationName.tempQueueAdvisory : OpenWireDestinationName.tempTopicAdvisory)
        for (id, wants) in advisoryConsumers where only == nil || only == id {
            guard isQueue ? wants.queues : wants.topics else { continue }
            let message = OpenWireMessage(kind: .message, producerId: localProducerId, destination: topic,
                                          messageId: nextLocalMessageId(), timestamp: BrokerClock.wallMillis(),
                                          type: "Advisory", dataStructure: .command(.destinationInfo(info)))
            run(machine.deliver(OpenWireMessageDispatch(consumerId: id, destination: topic, message: message), tag: nil))
        }
        core.scheduleFlush()
    }

    func nextLocalMessageId() -> OpenWireMessageId {
        defer { nextLocalSequence += 1 }
        return OpenWireMessageId(producerId: localProducerId, producerSequenceId: nextLocalSequence, brokerSequenceId: 0)
    }
}
