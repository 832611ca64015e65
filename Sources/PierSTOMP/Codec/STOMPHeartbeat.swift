/// A `heart-beat` header: `cx,cy` in milliseconds (spec 1.1 §Heart-beating).
///
/// `outgoing` (cx) is the smallest interval at which the sender can send heart-beats, 0 meaning never;
/// `incoming` (cy) is the interval at which it would like to receive them, 0 meaning it does not want any.
public struct STOMPHeartbeat: Sendable, Hashable, CustomStringConvertible {
    public var outgoing: Int
    public var incoming: Int

    /// No heart-beats either way: what an absent header means.
    public static let none = STOMPHeartbeat(outgoing: 0, incoming: 0)

    /// Values beyond this (about 24.8 days) are refused: nobody means them, and Int32 peers overflow.
    public static let maxInterval = Int(Int32.max)

    public init(outgoing: Int, incoming: Int) {
        precondition(outgoing >= 0 && incoming >= 0)
        self.outgoing = outgoing
        self.incoming = incoming
    }

    /// Parses `cx,cy`. Spaces around each number are allowed (ActiveMQ trims too); a sign, a missing or
    /// extra field, or a value over `maxInterval` is `.invalidHeartbeat`.
    public init(parsing value: String) throws(STOMPDecodeError) {
        let fields = value.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 2, let cx = Self.interval(fields[0]), let cy = Self.interval(fields[1]) else {
            throw .invalidHeartbeat(String(decoding: value.utf8.prefix(STOMPDecodeError.maxQuotedBytes), as: UTF8.self))
        }
        self.init(outgoing: cx, incoming: cy)
    }

    /// The header value to send.
    public var headerValue: String { "\(outgoing),\(incoming)" }

    public var description: String { headerValue }

    /// The intervals one side uses once both headers are known, from `local`'s point of view: `send` is how
    /// often it must send something, `receive` how often it should hear from the peer; 0 disables either.
    /// The rule is the spec's: each direction runs at the larger of what the sender can do and what the
    /// receiver wants, and only if both sides are willing (neither value 0).
    public static func negotiate(local: STOMPHeartbeat, remote: STOMPHeartbeat) -> (send: Int, receive: Int) {
        let send = local.outgoing == 0 || remote.incoming == 0 ? 0 : max(local.outgoing, remote.incoming)
        let receive = remote.outgoing == 0 || local.incoming == 0 ? 0 : max(remote.outgoing, local.incoming)
        return (send, receive)
    }

    private static func interval(_ field: Substring) -> Int? {
        let digits = field.trimmingSpaces().utf8
        guard !digits.isEmpty, digits.count <= 10,
              digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        let v = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        return v <= maxInterval ? v : nil
    }
}
