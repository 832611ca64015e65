/// The sending half of ActiveMQ's marshalling cache (`OpenWireFormat.marshallCache`), reproduced
/// exactly (slot order, the eviction sweep before each frame, -1 when full) so that Pier's frames are
/// the ones a Java peer would write and a recorded stream re-encodes to the same bytes.
///
/// Keys compare by value, like the Java `equals` of the cached types (ids, destinations, transaction
/// ids), and null is a key like any other (a `HashMap` allows it).
struct OpenWireMarshalCache: Sendable {
    private var slots: [OpenWireDataStructure?]
    private var indexes: [OpenWireDataStructure?: Int16] = [:]
    private var nextIndex = 0
    private var nextEviction = 0

    /// `OpenWireFormat.MARSHAL_CACHE_FREE_SPACE`: the sweep keeps this many slots free.
    private static let freeSpace = 100

    init() {
        slots = []
    }

    init(size: Int) {
        slots = Array(repeating: nil, count: size)
    }

    init(options: OpenWireFormatOptions) {
        self.init(size: options.cacheEnabled ? options.effectiveCacheSize : 0)
    }

    /// `runMarshallCacheEvictionSweep`, run before every frame: forgets the oldest slots until
    /// `freeSpace` are free. Like Java, evicting a slot forgets whatever key it last held, null included.
    /// (Java loops forever with a cache under 100 slots; here the sweep stops once nothing is cached.)
    mutating func sweep() {
        guard !slots.isEmpty else { return }
        while indexes.count > slots.count - Self.freeSpace && !indexes.isEmpty {
            indexes.removeValue(forKey: slots[nextEviction])
            slots[nextEviction] = nil
            nextEviction += 1
            if nextEviction >= slots.count { nextEviction = 0 }
        }
    }

    func index(of key: OpenWireDataStructure?) -> Int16? {
        indexes[key]
    }

    /// `addToMarshallCache`: takes the next slot round-robin; -1 when every slot is taken.
    mutating func add(_ key: OpenWireDataStructure?) -> Int16 {
        guard !slots.isEmpty else { return -1 }
        let index = nextIndex
        nextIndex += 1
        if nextIndex >= slots.count { nextIndex = 0 }
        guard indexes.count < slots.count else { return -1 }
        slots[index] = key
        indexes[key] = Int16(index)
        return Int16(index)
    }
}
