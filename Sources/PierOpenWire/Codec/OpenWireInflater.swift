/// Inflates a zlib stream (RFC 1950 around RFC 1951 deflate), the format of a compressed message body:
/// ActiveMQ compresses with `java.util.zip.Deflater` defaults when a client sets `useCompression`.
///
/// Pure Swift because the module may depend on NIOCore alone, and small because it only has to read:
/// a broker forwards compressed bodies untouched and only inflates one to evaluate or convert it. Huffman
/// codes are decoded a bit at a time over canonical count tables (the approach of zlib's `puff.c`):
/// slower than a table-driven inflater, but short and easy to check, and bodies are small.
///
/// Every length is bounded: the output stops at `limit` bytes (a 10 MiB frame must not become gigabytes),
/// back-references must point inside what was produced, and the Adler-32 checksum must match.
struct OpenWireInflater {
    enum Failure: Error {
        case damaged
        case tooLarge
    }

    private let input: [UInt8]
    private var position = 0
    private var bitBuffer: UInt32 = 0
    private var bitCount = 0
    private var output: [UInt8] = []
    private let limit: Int

    static func inflate(_ input: [UInt8], limit: Int) -> Result<[UInt8], Failure> {
        var inflater = OpenWireInflater(input: input, limit: limit)
        do throws(Failure) {
            try inflater.run()
            return .success(inflater.output)
        } catch {
            return .failure(error)
        }
    }

    private init(input: [UInt8], limit: Int) {
        self.input = input
        self.limit = limit
        output.reserveCapacity(min(limit, input.count * 4))
    }

    private mutating func run() throws(Failure) {
        // zlib header: deflate (CM 8) with a window of at most 32 KiB, a check that makes it a multiple
        // of 31, and no preset dictionary (Java's Deflater never sets one).
        guard input.count >= 6 else { throw .damaged }
        let cmf = input[0], flg = input[1]
        guard cmf & 0x0F == 8, cmf >> 4 <= 7, (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0, flg & 0x20 == 0 else {
            throw .damaged
        }
        position = 2
        var last = false
        while !last {
            last = try bits(1) == 1
            switch try bits(2) {
            case 0: try stored()
            case 1: try codes(literals: Self.fixedLiterals, distances: Self.fixedDistances)
            case 2: try dynamic()
            default: throw .damaged
            }
        }
        // The checksum follows on the next byte boundary, big-endian.
        bitBuffer = 0
        bitCount = 0
        guard position + 4 <= input.count else { throw .damaged }
        let expected = input[position..<position + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard Self.adler32(output) == expected else { throw .damaged }
    }

    // MARK: Bits

    /// The next `count` bits, least significant first (deflate's order).
    private mutating func bits(_ count: Int) throws(Failure) -> Int {
        while bitCount < count {
            guard position < input.count else { throw .damaged }
            bitBuffer |= UInt32(input[position]) << UInt32(bitCount)
            position += 1
            bitCount += 8
        }
        let value = bitBuffer & ((1 << UInt32(count)) - 1)
        bitBuffer >>= UInt32(count)
        bitCount -= count
        return Int(value)
    }

    private mutating func emit(_ byte: UInt8) throws(Failure) {
        guard output.count < limit else { throw .tooLarge }
        output.append(byte)
    }

    // MARK: Blocks

    private mutating func stored() throws(Failure) {
        bitBuffer = 0
        bitCount = 0
        guard position + 4 <= input.count else { throw .damaged }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard length == ~complement & 0xFFFF else { throw .damaged }
        position += 4
        guard position + length <= input.count else { throw .damaged }
        guard output.count + length <= limit else { throw .tooLarge }
        output.append(contentsOf: input[position..<position + length])
        position += length
    }

    private mutating func dynamic() throws(Failure) {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeLengthCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw .damaged }
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<codeLengthCount { codeLengthLengths[Self.codeLengthOrder[i]] = UInt8(try bits(3)) }
        let codeLengthCode = try Huffman(lengths: codeLengthLengths)

        var lengths: [UInt8] = []
        lengths.reserveCapacity(literalCount + distanceCount)
        while lengths.count < literalCount + distanceCount {
            let symbol = try decode(codeLengthCode)
            switch symbol {
            case 0...15:
                lengths.append(UInt8(symbol))
            case 16:
                guard let previous = lengths.last else { throw .damaged }
                lengths.append(contentsOf: repeatElement(previous, count: 3 + (try bits(2))))
            case 17:
                lengths.append(contentsOf: repeatElement(0, count: 3 + (try bits(3))))
            default:
                lengths.append(contentsOf: repeatElement(0, count: 11 + (try bits(7))))
            }
        }
        guard lengths.count == literalCount + distanceCount, lengths[256] != 0 else { throw .damaged }
        let literals = try Huffman(lengths: Array(lengths[0..<literalCount]))
        let distances = try Huffman(lengths: Array(lengths[literalCount...]))
        try codes(literals: literals, distances: distances)
    }

    private mutating func codes(literals: Huffman, distances: Huffman) throws(Failure) {
        while true {
            let symbol = try decode(literals)
            if symbol < 256 {
                try emit(UInt8(symbol))
                continue
            }
            if symbol == 256 { return }
            let lengthIndex = symbol - 257
            guard lengthIndex < 29 else { throw .damaged }
            let length = Self.lengthBase[lengthIndex] + (try bits(Self.lengthExtra[lengthIndex]))
            let distanceSymbol = try decode(distances)
            guard distanceSymbol < 30 else { throw .damaged }
            let distance = Self.distanceBase[distanceSymbol] + (try bits(Self.distanceExtra[distanceSymbol]))
            guard distance <= output.count else { throw .damaged }
            guard output.count + length <= limit else { throw .tooLarge }
            // Byte by byte: the copy may overlap what it produces (a run).
            let start = output.count - distance
            for i in 0..<length { output.append(output[start + i]) }
        }
    }

    // MARK: Huffman codes

    /// A canonical Huffman code as counts per length and symbols in code order.
    private struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []

        /// Checks the code can be decoded: an over-subscribed one cannot; an incomplete one can (a single
        /// distance code is common), and a bit pattern outside it fails in `decode`.
        init(lengths: [UInt8]) throws(Failure) {
            self.init(building: lengths)
            var left = 1
            for length in 1...15 {
                left <<= 1
                left -= counts[length]
                guard left >= 0 else { throw .damaged }
            }
        }

        /// Without the check, for the fixed codes (which are complete).
        init(building lengths: [UInt8]) {
            for length in lengths { counts[Int(length)] += 1 }
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[Int(length)]] = symbol
                offsets[Int(length)] += 1
            }
        }
    }

    private mutating func decode(_ code: Huffman) throws(Failure) -> Int {
        var value = 0, first = 0, index = 0
        for length in 1...15 {
            value |= try bits(1)
            let count = code.counts[length]
            if value - count < first { return code.symbols[index + (value - first)] }
            index += count
            first += count
            first <<= 1
            value <<= 1
        }
        throw .damaged
    }

    // MARK: Tables (RFC 1951 §3.2.5-3.2.7)

    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99,
                                     115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025,
                                       1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11,
                                        12, 12, 13, 13]

    private static let fixedLiterals = Huffman(building: (0..<288).map { $0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8 })
    private static let fixedDistances = Huffman(building: [UInt8](repeating: 5, count: 30))

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var i = 0
        while i < bytes.count {
            // 5552 bytes is the most that can be summed before the 32-bit sums must be reduced.
            let end = min(i + 5552, bytes.count)
            while i < end {
                a &+= UInt32(bytes[i])
                b &+= a
                i += 1
            }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }
}
