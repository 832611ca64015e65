import PierCore

/// MQTT 5 properties (spec 2.2.2.2) as one flat value; absent properties are nil or empty.
/// The decoder rejects properties that are not allowed in the packet that carries them.
///
/// The fields live in a copy-on-write box that exists only once one is set. Most packets carry none, and
/// a PUBLISH is copied into actions, packets and closures on its way out: as a flat struct each copy moved
/// about 350 bytes and checked a dozen references (about 8 % of the broker's CPU in QoS 0 fan-in, `perf`,
/// issue #16). Now an empty set is one nil pointer and a copy is at most one retain.
public struct MQTTProperties: Sendable, Equatable {
    struct Fields: Sendable, Equatable {
        var payloadFormatIndicator: UInt8?  // 0x01
        var messageExpiryInterval: UInt32?  // 0x02
        var contentType: String?  // 0x03
        var responseTopic: String?  // 0x08
        var correlationData: [UInt8]?  // 0x09
        var subscriptionIdentifiers: [UInt32] = []  // 0x0B
        var sessionExpiryInterval: UInt32?  // 0x11
        var assignedClientIdentifier: String?  // 0x12
        var serverKeepAlive: UInt16?  // 0x13
        var authenticationMethod: String?  // 0x15
        var authenticationData: [UInt8]?  // 0x16
        var requestProblemInformation: UInt8?  // 0x17
        var willDelayInterval: UInt32?  // 0x18
        var requestResponseInformation: UInt8?  // 0x19
        var responseInformation: String?  // 0x1A
        var serverReference: String?  // 0x1C
        var reasonString: String?  // 0x1F
        var receiveMaximum: UInt16?  // 0x21
        var topicAliasMaximum: UInt16?  // 0x22
        var topicAlias: UInt16?  // 0x23
        var maximumQoS: UInt8?  // 0x24
        var retainAvailable: UInt8?  // 0x25
        var userProperties: [UserProperty] = []  // 0x26
        var maximumPacketSize: UInt32?  // 0x27
        var wildcardSubscriptionAvailable: UInt8?  // 0x28
        var subscriptionIdentifierAvailable: UInt8?  // 0x29
        var sharedSubscriptionAvailable: UInt8?  // 0x2A
    }

    /// Mutated only while uniquely referenced (`fields`' `_modify`), so sharing it across threads is safe.
    final class Box: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box?

    private var fields: Fields {
        get { box?.fields ?? Fields() }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box?.fields ?? Fields()) }
            yield &box!.fields
        }
    }

    public init() {}

    public var isEmpty: Bool { box.map { $0.fields == Fields() } ?? true }

    public static func == (lhs: MQTTProperties, rhs: MQTTProperties) -> Bool {
        lhs.box === rhs.box || lhs.fields == rhs.fields
    }

    public var payloadFormatIndicator: UInt8? {  // 0x01
        get { box?.fields.payloadFormatIndicator }
        // Clearing a field of an empty set must not make a box.
        set { if box != nil || newValue != nil { fields.payloadFormatIndicator = newValue } }
        _modify { yield &fields.payloadFormatIndicator }
    }

    public var messageExpiryInterval: UInt32? {  // 0x02
        get { box?.fields.messageExpiryInterval }
        set { if box != nil || newValue != nil { fields.messageExpiryInterval = newValue } }
        _modify { yield &fields.messageExpiryInterval }
    }

    public var contentType: String? {  // 0x03
        get { box?.fields.contentType }
        set { if box != nil || newValue != nil { fields.contentType = newValue } }
        _modify { yield &fields.contentType }
    }

    public var responseTopic: String? {  // 0x08
        get { box?.fields.responseTopic }
        set { if box != nil || newValue != nil { fields.responseTopic = newValue } }
        _modify { yield &fields.responseTopic }
    }

    public var correlationData: [UInt8]? {  // 0x09
        get { box?.fields.correlationData }
        set { if box != nil || newValue != nil { fields.correlationData = newValue } }
        _modify { yield &fields.correlationData }
    }

    public var subscriptionIdentifiers: [UInt32] {  // 0x0B
        get { box?.fields.subscriptionIdentifiers ?? [] }
        set { if box != nil || !newValue.isEmpty { fields.subscriptionIdentifiers = newValue } }
        _modify { yield &fields.subscriptionIdentifiers }
    }

    public var sessionExpiryInterval: UInt32? {  // 0x11
        get { box?.fields.sessionExpiryInterval }
        set { if box != nil || newValue != nil { fields.sessionExpiryInterval = newValue } }
        _modify { yield &fields.sessionExpiryInterval }
    }

    public var assignedClientIdentifier: String? {  // 0x12
        get { box?.fields.assignedClientIdentifier }
        set { if box != nil || newValue != nil { fields.assignedClientIdentifier = newValue } }
        _modify { yield &fields.assignedClientIdentifier }
    }

    public var serverKeepAlive: UInt16? {  // 0x13
        get { box?.fields.serverKeepAlive }
        set { if box != nil || newValue != nil { fields.serverKeepAlive = newValue } }
        _modify { yield &fields.serverKeepAlive }
    }

    public var authenticationMethod: String? {  // 0x15
        get { box?.fields.authenticationMethod }
        set { if box != nil || newValue != nil { fields.authenticationMethod = newValue } }
        _modify { yield &fields.authenticationMethod }
    }

    public var authenticationData: [UInt8]? {  // 0x16
        get { box?.fields.authenticationData }
        set { if box != nil || newValue != nil { fields.authenticationData = newValue } }
        _modify { yield &fields.authenticationData }
    }

    public var requestProblemInformation: UInt8? {  // 0x17
        get { box?.fields.requestProblemInformation }
        set { if box != nil || newValue != nil { fields.requestProblemInformation = newValue } }
        _modify { yield &fields.requestProblemInformation }
    }

    public var willDelayInterval: UInt32? {  // 0x18
        get { box?.fields.willDelayInterval }
        set { if box != nil || newValue != nil { fields.willDelayInterval = newValue } }
        _modify { yield &fields.willDelayInterval }
    }

    public var requestResponseInformation: UInt8? {  // 0x19
        get { box?.fields.requestResponseInformation }
        set { if box != nil || newValue != nil { fields.requestResponseInformation = newValue } }
        _modify { yield &fields.requestResponseInformation }
    }

    public var responseInformation: String? {  // 0x1A
        get { box?.fields.responseInformation }
        set { if box != nil || newValue != nil { fields.responseInformation = newValue } }
        _modify { yield &fields.responseInformation }
    }

    public var serverReference: String? {  // 0x1C
        get { box?.fields.serverReference }
        set { if box != nil || newValue != nil { fields.serverReference = newValue } }
        _modify { yield &fields.serverReference }
    }

    public var reasonString: String? {  // 0x1F
        get { box?.fields.reasonString }
        set { if box != nil || newValue != nil { fields.reasonString = newValue } }
        _modify { yield &fields.reasonString }
    }

    public var receiveMaximum: UInt16? {  // 0x21
        get { box?.fields.receiveMaximum }
        set { if box != nil || newValue != nil { fields.receiveMaximum = newValue } }
        _modify { yield &fields.receiveMaximum }
    }

    public var topicAliasMaximum: UInt16? {  // 0x22
        get { box?.fields.topicAliasMaximum }
        set { if box != nil || newValue != nil { fields.topicAliasMaximum = newValue } }
        _modify { yield &fields.topicAliasMaximum }
    }

    public var topicAlias: UInt16? {  // 0x23
        get { box?.fields.topicAlias }
        set { if box != nil || newValue != nil { fields.topicAlias = newValue } }
        _modify { yield &fields.topicAlias }
    }

    public var maximumQoS: UInt8? {  // 0x24
        get { box?.fields.maximumQoS }
        set { if box != nil || newValue != nil { fields.maximumQoS = newValue } }
        _modify { yield &fields.maximumQoS }
    }

    public var retainAvailable: UInt8? {  // 0x25
        get { box?.fields.retainAvailable }
        set { if box != nil || newValue != nil { fields.retainAvailable = newValue } }
        _modify { yield &fields.retainAvailable }
    }

    public var userProperties: [UserProperty] {  // 0x26
        get { box?.fields.userProperties ?? [] }
        set { if box != nil || !newValue.isEmpty { fields.userProperties = newValue } }
        _modify { yield &fields.userProperties }
    }

    public var maximumPacketSize: UInt32? {  // 0x27
        get { box?.fields.maximumPacketSize }
        set { if box != nil || newValue != nil { fields.maximumPacketSize = newValue } }
        _modify { yield &fields.maximumPacketSize }
    }

    public var wildcardSubscriptionAvailable: UInt8? {  // 0x28
        get { box?.fields.wildcardSubscriptionAvailable }
        set { if box != nil || newValue != nil { fields.wildcardSubscriptionAvailable = newValue } }
        _modify { yield &fields.wildcardSubscriptionAvailable }
    }

    public var subscriptionIdentifierAvailable: UInt8? {  // 0x29
        get { box?.fields.subscriptionIdentifierAvailable }
        set { if box != nil || newValue != nil { fields.subscriptionIdentifierAvailable = newValue } }
        _modify { yield &fields.subscriptionIdentifierAvailable }
    }

    public var sharedSubscriptionAvailable: UInt8? {  // 0x2A
        get { box?.fields.sharedSubscriptionAvailable }
        set { if box != nil || newValue != nil { fields.sharedSubscriptionAvailable = newValue } }
        _modify { yield &fields.sharedSubscriptionAvailable }
    }
}
