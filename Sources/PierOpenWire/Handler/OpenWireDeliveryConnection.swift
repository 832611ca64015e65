import PierConnection

/// The core's handle on an OpenWire connection. Besides deliveries it carries advisories: a temporary
/// destination appeared or went (on any connection), which this connection's advisory consumers hear of.
typealias OpenWireDeliveryConnection = DeliveryConnection<OpenWireChannelHandler>

extension DeliveryConnection where Target == OpenWireChannelHandler {
    func advisory(_ info: OpenWireDestinationInfo) {
        handler.run { $0.sendAdvisory(info) }
    }
}
