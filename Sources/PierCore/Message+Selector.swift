import PierSelector

/// What selectors see of a message: the JMS header names, then application properties.
extension Message: SelectorSubject {
    public func selectorValue(for identifier: String) -> SelectorValue? {
        switch identifier {
        case "JMSPriority": return .int(Int64(headers.priority))
        case "JMSType": return headers.type.map { .string($0) }
        case "JMSMessageID": return headers.messageID.map { .string($0) }
        case "JMSCorrelationID": return correlationID.map { .string($0) }
        case "JMSTimestamp": return headers.timestamp.map { .int($0) }
        case "JMSDeliveryMode": return .string(isPersistent ? "PERSISTENT" : "NON_PERSISTENT")
        case "JMSRedelivered": return .bool(redelivered)
        case "JMSXDeliveryCount": return .int(Int64(headers.redeliveryCount) + 1)
        case "JMSXGroupID": return headers.groupID.map { .string($0) }
        case "JMSXGroupSeq": return headers.groupSequence.map { .int(Int64($0)) }
        default: break
        }
        guard let value = property(identifier) else { return nil }
        switch value {
        case .bool(let v): return .bool(v)
        case .int8(let v): return .int(Int64(v))
        case .int16(let v): return .int(Int64(v))
        case .int32(let v): return .int(Int64(v))
        case .int64(let v): return .int(v)
        case .float(let v): return .double(Double(v))
        case .double(let v): return .double(v)
        case .string(let v): return .string(v)
        case .bytes: return nil
        }
    }
}
