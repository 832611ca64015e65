/// The receiving half of ActiveMQ's marshalling cache (`OpenWireFormat.unmarshallCache`): the slots a
/// peer fills with ids and destinations it sent in full, so later frames can name them by index.
///
/// One per direction per connection, living as long as the negotiated wire format; `OpenWireFrameDecoder`
/// owns it. Slots are allocated only when the cache is enabled.
struct OpenWireUnmarshalCache: Sendable {
    enum Slot: Sendable, Hashable {
        /// Never filled: a reference to it is a protocol error (a Java peer never sends one).
        case empty
        /// Filled with null: Java caches a null field like any value and refers to it afterwards.
        case null
        case value(OpenWireDataStructure)
    }

    private var slots: [Slot]

    /// No slots: every index is out of range.
    init() {
        slots = []
    }

    init(size: Int) {
        slots = Array(repeating: .empty, count: size)
    }

    init(options: OpenWireFormatOptions) {
        self.init(size: options.cacheEnabled ? options.effectiveCacheSize : 0)
    }

    var size: Int { slots.count }

    /// Index -1 means the sender's cache was full and it did not cache the value.
    mutating func store(_ value: OpenWireDataStructure?, at index: Int16) {
        guard index >= 0 else { return }
        slots[Int(index)] = value.map { .value($0) } ?? .null
    }

    func slot(_ index: Int16) -> Slot {
        slots[Int(index)]
    }
}
