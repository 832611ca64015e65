import NIOCore

/// What a stream decoder produced from one input: its items in order, and the error that stopped it.
/// Fuzz targets compare two of these (the stream fed whole, and in chunks) for equality.
public struct DecodedStream<Item: Equatable, Failure: Error & Equatable>: Equatable, CustomStringConvertible {
    public var items: [Item] = []
    public var error: Failure?

    public var description: String { "\(items.count) items, error \(String(describing: error))" }

    /// Values that hold a float NaN are not equal to themselves, so two equal decodes of a NaN would read
    /// as a finding (a CI run trapped on one). Whatever `==` rejects is compared by its debug text,
    /// which shows a NaN's payload bits.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.items.count == rhs.items.count
            && zip(lhs.items, rhs.items).allSatisfy { same($0, $1) }
            && same(lhs.error, rhs.error)
    }

    private static func same<T: Equatable>(_ lhs: T, _ rhs: T) -> Bool {
        lhs == rhs || String(reflecting: lhs) == String(reflecting: rhs)
    }

    /// Feeds `stream` to `next` `chunk` bytes at a time, as socket reads would arrive, and collects what
    /// it decodes until the stream ends or it throws. Traps (a finding) when `next` returns nil after
    /// consuming bytes, or an item without consuming any. Now and then the read bytes are discarded, as a
    /// cumulation buffer does between reads, so the decoder must cope with a moved reader index.
    public init(_ stream: UnsafeBufferPointer<UInt8>, chunk: Int,
                next: (inout ByteBuffer) throws(Failure) -> Item?) {
        var buffer = ByteBuffer()
        var offset = 0
        while offset < stream.count {
            let end = stream.count - offset > chunk ? offset + chunk : stream.count
            buffer.writeBytes(UnsafeBufferPointer(rebasing: stream[offset..<end]))
            offset = end
            do throws(Failure) {
                while true {
                    let before = buffer.readableBytes
                    guard let item = try next(&buffer) else {
                        guard buffer.readableBytes == before else { fatalError("nil result consumed bytes") }
                        break
                    }
                    guard buffer.readableBytes < before else { fatalError("item without consuming bytes") }
                    items.append(item)
                }
            } catch {
                self.error = error
                return
            }
            if offset % 3 == 0 { buffer.discardReadBytes() }
        }
    }
}
