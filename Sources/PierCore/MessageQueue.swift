/// A FIFO that costs nothing while empty. NIO's `CircularBuffer()` allocates room for 16 elements up
/// front, which for a `Delivery` is kilobytes per idle connection; this allocates on first append only.
public struct MessageQueue<Element>: Sequence {
    private var storage: [Element] = []
    private var head = 0

    public init() {}

    public var count: Int { storage.count - head }
    public var isEmpty: Bool { head == storage.count }

    public mutating func append(_ element: Element) {
        storage.append(element)
    }

    public mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll()
            head = 0
        } else if head >= 64 && head * 2 >= storage.count {
            // Drop the consumed prefix once it is most of the array, so memory follows what is queued.
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    public mutating func removeAll() {
        storage = []
        head = 0
    }

    public func makeIterator() -> ArraySlice<Element>.Iterator {
        storage[head...].makeIterator()
    }
}
extension MessageQueue: Sendable where Element: Sendable {}
