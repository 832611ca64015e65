import PierCore

/// MQTT 5 properties (spec 2.2.2.2) as one flat value; absent properties are nil or empty.
/// The decoder rejects properties that are not allowed in the packet that carries them.
public struct MQTTProperties: Sendable, Equatable {
    public var payloadFormatIndicator: UInt8?          // 0x01
    public var messageExpiryInterval: UInt32?          // 0x02
    public var contentType: String?                    // 0x03
    public var responseTopic: String?                  // 0x08
    public var correlationData: [UInt8]?               // 0x09
    public var subscriptionIdentifiers: [UInt32] = []  // 0x0B (several in PUBLISH, one in SUBSCRIBE)
    public var sessionExpiryInterval: UInt32?          // 0x11
    public var assignedClientIdentifier: String?       // 0x12
    public var serverKeepAlive: UInt16?                // 0x13
    public var authenticationMethod: String?           // 0x15
    public var authenticationData: [UInt8]?            // 0x16
    public var requestProblemInformation: UInt8?       // 0x17
    public var willDelayInterval: UInt32?              // 0x18
    public var requestResponseInformation: UInt8?      // 0x19
    public var responseInformation: String?            // 0x1A
    public var serverReference: String?                // 0x1C
    public var reasonString: String?                   // 0x1F
    public var receiveMaximum: UInt16?                 // 0x21
    public var topicAliasMaximum: UInt16?              // 0x22
    public var topicAlias: UInt16?                     // 0x23
    public var maximumQoS: UInt8?                      // 0x24
    public var retainAvailable: UInt8?                 // 0x25
    public var userProperties: [UserProperty] = []     // 0x26
    public var maximumPacketSize: UInt32?              // 0x27
    public var wildcardSubscriptionAvailable: UInt8?   // 0x28
    public var subscriptionIdentifierAvailable: UInt8? // 0x29
    public var sharedSubscriptionAvailable: UInt8?     // 0x2A

    public init() {}

    public var isEmpty: Bool { self == MQTTProperties() }
}
