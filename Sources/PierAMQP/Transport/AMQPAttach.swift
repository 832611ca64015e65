import NIOCore

/// `attach` (0x12): creates one end of a link on a session.
public struct AMQPAttach: AMQPComposite {
    public static let descriptorCode: UInt64 = 0x12
    public static let descriptorName = "amqp:attach:list"
    public static let coordinatorCode: UInt64 = 0x30

    public var name: String
    public var handle: UInt32
    public var role: AMQPRole
    public var sndSettleMode: AMQPSenderSettleMode = .mixed
    public var rcvSettleMode: AMQPReceiverSettleMode = .first
    public var source: AMQPSource?
    public var target: AMQPTarget?
    /// A transaction coordinator (0x30) as the target: the sender declares and discharges transactions.
    public var coordinator: AMQPValue?
    public var unsettled: AMQPMap?
    public var incompleteUnsettled = false
    public var initialDeliveryCount: UInt32?
    public var maxMessageSize: UInt64?
    public var offeredCapabilities: [String] = []
    public var desiredCapabilities: [String] = []
    public var properties: AMQPMap?

    public init(name: String, handle: UInt32, role: AMQPRole, sndSettleMode: AMQPSenderSettleMode = .mixed,
                rcvSettleMode: AMQPReceiverSettleMode = .first, source: AMQPSource? = nil, target: AMQPTarget? = nil,
                initialDeliveryCount: UInt32? = nil) {
        self.name = name
        self.handle = handle
        self.role = role
        self.sndSettleMode = sndSettleMode
        self.rcvSettleMode = rcvSettleMode
        self.source = source
        self.target = target
        self.initialDeliveryCount = initialDeliveryCount
    }

    public init(fields: AMQPFieldReader) throws(AMQPDecodeError) {
        name = try fields.required(fields.string(0, "name"), "name")
        handle = try fields.required(fields.uint(1, "handle"), "handle")
        role = AMQPRole(wireValue: try fields.required(fields.bool(2, "role"), "role"))
        let snd = try fields.ubyte(3, "snd-settle-mode") ?? 2
        guard let sndMode = AMQPSenderSettleMode(rawValue: snd) else {
            throw .invalidField(type: Self.descriptorName, field: "snd-settle-mode", found: .ubyte(snd))
        }
        sndSettleMode = sndMode
        let rcv = try fields.ubyte(4, "rcv-settle-mode") ?? 0
        guard let rcvMode = AMQPReceiverSettleMode(rawValue: rcv) else {
            throw .invalidField(type: Self.descriptorName, field: "rcv-settle-mode", found: .ubyte(rcv))
        }
        rcvSettleMode = rcvMode
        source = try fields.composite(5, "source", as: AMQPSource.self)
        if let value = fields.value(6), value.descriptorCode == Self.coordinatorCode
            || { if case .described(.symbol("amqp:coordinator:list"), _) = value { return true } else { return false } }() {
            coordinator = value
        } else {
            target = try fields.composite(6, "target", as: AMQPTarget.self)
        }
        unsettled = try fields.map(7, "unsettled")
        incompleteUnsettled = try fields.bool(8, "incomplete-unsettled") ?? false
        initialDeliveryCount = try fields.uint(9, "initial-delivery-count")
        maxMessageSize = try fields.ulong(10, "max-message-size")
        offeredCapabilities = try fields.symbols(11, "offered-capabilities")
        desiredCapabilities = try fields.symbols(12, "desired-capabilities")
        properties = try fields.map(13, "properties")
    }

    public func writeFields(into fields: inout AMQPFieldWriter) {
        fields.append(name)
        fields.append(handle)
        fields.append(AMQPValue.boolean(role.wireValue))
        fields.append(sndSettleMode == .mixed ? nil : sndSettleMode.rawValue)
        fields.append(rcvSettleMode == .first ? nil : rcvSettleMode.rawValue)
        fields.append(source)
        if let coordinator { fields.append(coordinator) } else { fields.append(target) }
        fields.append(unsettled)
        fields.append(incompleteUnsettled, default: false)
        fields.append(initialDeliveryCount)
        fields.append(maxMessageSize)
        fields.append(symbols: offeredCapabilities)
        fields.append(symbols: desiredCapabilities)
        fields.append(properties)
    }
}
