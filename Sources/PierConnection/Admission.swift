/// Whether a connecting client may in, decided once for every protocol; each protocol turns a
/// refusal into its own reason code (MQTT CONNACK, STOMP ERROR, AMQP close, OpenWire exception).
public enum Admission: Sendable, Equatable {
    case accepted
    /// `limits.max_connections` is reached.
    case serverBusy
    case badCredentials
    case notAuthorized
}
