import NIOCore

/// A message in the AMQP 1.0 format (messaging part, section 3.2): the sections in wire order.
public struct AMQPMessage: Hashable, Sendable {
    public static let deliveryAnnotationsCode: UInt64 = 0x71
    public static let messageAnnotationsCode: UInt64 = 0x72
    public static let applicationPropertiesCode: UInt64 = 0x74
    public static let dataCode: UInt64 = 0x75
    public static let sequenceCode: UInt64 = 0x76
    public static let valueCode: UInt64 = 0x77
    public static let footerCode: UInt64 = 0x78

    public var header: AMQPMessageHeader?
    public var deliveryAnnotations: AMQPMap?
    public var messageAnnotations: AMQPMap?
    public var properties: AMQPMessageProperties?
    /// Keys are strings and values simple types by the spec; not enforced on decode, to be lenient with peers.
    public var applicationProperties: AMQPMap?
    public var body: AMQPMessageBody
    public var footer: AMQPMap?

    public init(header: AMQPMessageHeader? = nil, properties: AMQPMessageProperties? = nil,
                applicationProperties: AMQPMap? = nil, body: AMQPMessageBody) {
        self.header = header
        self.properties = properties
        self.applicationProperties = applicationProperties
        self.body = body
    }

    public init(data: ByteBuffer) {
        self.init(body: .data([data]))
    }

    public func encode(into buffer: inout ByteBuffer) {
        if let header { buffer.writeAMQPValue(header.amqpValue) }
        if let deliveryAnnotations { buffer.writeAMQPValue(Self.section(Self.deliveryAnnotationsCode, .map(deliveryAnnotations))) }
        if let messageAnnotations { buffer.writeAMQPValue(Self.section(Self.messageAnnotationsCode, .map(messageAnnotations))) }
        if let properties { buffer.writeAMQPValue(properties.amqpValue) }
        if let applicationProperties { buffer.writeAMQPValue(Self.section(Self.applicationPropertiesCode, .map(applicationProperties))) }
        switch body {
        case .data(let sections):
            for section in sections { buffer.writeAMQPValue(Self.section(Self.dataCode, .binary(section))) }
        case .sequence(let sequences):
            for sequence in sequences { buffer.writeAMQPValue(Self.section(Self.sequenceCode, .list(sequence))) }
        case .value(let value):
            buffer.writeAMQPValue(Self.section(Self.valueCode, value))
        }
        if let footer { buffer.writeAMQPValue(Self.section(Self.footerCode, .map(footer))) }
    }

    public var encoded: ByteBuffer {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return buffer
    }

    private static func section(_ code: UInt64, _ value: AMQPValue) -> AMQPValue {
        .described(descriptor: .ulong(code), value: value)
    }

    /// Decodes the sections of one delivery's payload.
    public init(decoding payload: ByteBuffer) throws(AMQPDecodeError) {
        var buffer = payload
        var data: [ByteBuffer] = []
        var sequences: [[AMQPValue]] = []
        var value: AMQPValue?
        self.body = .data([])
        while buffer.readableBytes > 0 {
            let section = try AMQPValueDecoder.decode(&buffer)
            guard case .described(let descriptor, let content) = section, case .ulong(let code) = descriptor else {
                throw .unexpectedDescriptor(expected: "message section", found: section)
            }
            func map(_ name: String) throws(AMQPDecodeError) -> AMQPMap? {
                if case .null = content { return nil }
                guard case .map(let m) = content else { throw .invalidField(type: name, field: "(body)", found: content) }
                return m
            }
            switch code {
            case AMQPMessageHeader.descriptorCode: header = try AMQPMessageHeader(decoding: section)
            case Self.deliveryAnnotationsCode: deliveryAnnotations = try map("amqp:delivery-annotations:map")
            case Self.messageAnnotationsCode: messageAnnotations = try map("amqp:message-annotations:map")
            case AMQPMessageProperties.descriptorCode: properties = try AMQPMessageProperties(decoding: section)
            case Self.applicationPropertiesCode: applicationProperties = try map("amqp:application-properties:map")
            case Self.footerCode: footer = try map("amqp:footer:map")
            case Self.dataCode:
                guard case .binary(let bytes) = content else { throw .invalidField(type: "amqp:data:binary", field: "(body)", found: content) }
                data.append(bytes)
            case Self.sequenceCode:
                guard case .list(let list) = content else { throw .invalidField(type: "amqp:amqp-sequence:list", field: "(body)", found: content) }
                sequences.append(list)
            case Self.valueCode:
                value = content
            default:
                throw .unexpectedDescriptor(expected: "message section", found: section)
            }
        }
        if let value {
            body = .value(value)
        } else if !sequences.isEmpty {
            body = .sequence(sequences)
        } else {
            body = .data(data)
        }
    }
}
