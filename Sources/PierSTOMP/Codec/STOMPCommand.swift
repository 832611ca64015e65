/// The first line of a frame. The raw value is the exact, case-sensitive spelling on the wire.
public enum STOMPCommand: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    // Client frames.
    case connect = "CONNECT"
    case stomp = "STOMP"
    case send = "SEND"
    case subscribe = "SUBSCRIBE"
    case unsubscribe = "UNSUBSCRIBE"
    case ack = "ACK"
    case nack = "NACK"
    case begin = "BEGIN"
    case commit = "COMMIT"
    case abort = "ABORT"
    case disconnect = "DISCONNECT"
    // Server frames.
    case connected = "CONNECTED"
    case message = "MESSAGE"
    case receipt = "RECEIPT"
    case error = "ERROR"

    public var description: String { rawValue }

    public var isClientCommand: Bool {
        switch self {
        case .connected, .message, .receipt, .error: return false
        default: return true
        }
    }

    /// Frames the spec lets carry a body; others "MUST NOT", which is the state machine's rule to enforce.
    public var mayHaveBody: Bool { self == .send || self == .message || self == .error }

    /// CONNECT and CONNECTED keep 1.0's raw headers so that a 1.0 peer can read them before any version is
    /// agreed (spec 1.2 §Value Encoding). STOMP is the 1.1+ spelling of CONNECT and is sent at the same
    /// moment, before negotiation, so it is treated the same way: a passcode holding `\` must not be mangled.
    public var escapesHeaders: Bool { self != .connect && self != .connected && self != .stomp }

    /// The longest spelling ("UNSUBSCRIBE", "DISCONNECT"...), which bounds how far the decoder reads a first
    /// line before calling it garbage.
    static let maxLength = allCases.map(\.rawValue.utf8.count).max()!

    /// Matches the bytes of a command line without building a String for the common case.
    init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 3, bytes.count <= Self.maxLength else { return nil }
        for c in Self.allCases where c.rawValue.utf8.elementsEqual(bytes) {
            self = c
            return
        }
        return nil
    }
}
