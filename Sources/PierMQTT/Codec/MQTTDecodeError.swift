/// Why bytes could not become a packet. `reasonCode` is what the broker puts in its CONNACK or DISCONNECT.
public struct MQTTDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// 0x81: the bytes break the packet grammar.
        case malformedPacket
        /// 0x82: well-formed but not allowed here (duplicate property, bad reserved flags in 5.0 terms...).
        case protocolError
        /// CONNECT with a protocol name/level Pier does not speak (0x84 in 5.0, return code 1 in 3.1.1).
        case unsupportedProtocolVersion
        /// 0x95: the remaining length exceeds the configured maximum.
        case packetTooLarge
        /// 0x90: PUBLISH topic with wildcards, U+0000 or empty without alias.
        case topicNameInvalid
        /// 0x99: payload format indicator 1 with an invalid UTF-8 payload.
        case payloadFormatInvalid
    }

    public var kind: Kind
    public var detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var reasonCode: MQTTReasonCode {
        switch kind {
        case .malformedPacket: return .malformedPacket
        case .protocolError: return .protocolError
        case .unsupportedProtocolVersion: return .unsupportedProtocolVersion
        case .packetTooLarge: return .packetTooLarge
        case .topicNameInvalid: return .topicNameInvalid
        case .payloadFormatInvalid: return .payloadFormatInvalid
        }
    }

    public var description: String { "\(kind) (\(reasonCode)): \(detail)" }
}
