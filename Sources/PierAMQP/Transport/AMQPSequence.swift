/// RFC 1982 serial number arithmetic for delivery counts, delivery ids and transfer ids, which wrap at 2^32.
enum AMQPSequence {
    /// Whether `value` lies in the inclusive range `first...last` of a wrapping sequence.
    static func contains(_ value: UInt32, first: UInt32, last: UInt32) -> Bool {
        value &- first <= last &- first
    }

    /// The keys of `map` in `first...last`, in sequence order: the deliveries a disposition range names.
    /// Walks the range when it is small, else filters the map, so a huge range costs no more than the map.
    static func keys<V>(of map: [UInt32: V], first: UInt32, last: UInt32) -> [UInt32] {
        if UInt64(last &- first) < UInt64(map.count) {
            var ids: [UInt32] = []
            var id = first
            while true {
                if map[id] != nil { ids.append(id) }
                if id == last { break }
                id &+= 1
            }
            return ids
        }
        return map.keys.filter { contains($0, first: first, last: last) }.sorted { ($0 &- first) < ($1 &- first) }
    }
}
