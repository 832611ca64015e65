/// A data structure with a loose marshaller: how one Swift type reads and writes its fields, in v12
/// order, after the type byte. Internal: users go through `OpenWireCommand` and `OpenWireDataStructure`.
protocol OpenWireMarshallable: Sendable, Hashable {
    /// Whether a nested object of this type id may stand where this Swift type is expected. Checked on
    /// the type byte, before the body is read, so a wrong type fails at the byte that is wrong.
    static func accepts(_ type: UInt8) -> Bool

    /// Reads the fields after the type byte (`type`, for the types that cover several ids).
    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError)

    /// The type byte this value is written with.
    var typeID: OpenWireTypeID { get }

    /// Writes the fields after the type byte.
    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError)

    /// The value as the marshalling cache holds it.
    var asDataStructure: OpenWireDataStructure { get }

    /// The value back out of a cache slot; nil when the slot holds another type.
    init?(_ dataStructure: OpenWireDataStructure)
}
