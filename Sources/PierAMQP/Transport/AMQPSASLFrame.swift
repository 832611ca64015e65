import NIOCore

/// The SASL frame bodies (0x40–0x44), exchanged before the AMQP protocol header when security is negotiated.
public enum AMQPSASLFrame: Hashable, Sendable {
    case mechanisms([String])
    case initial(mechanism: String, initialResponse: ByteBuffer?, hostname: String?)
    case challenge(ByteBuffer)
    case response(ByteBuffer)
    case outcome(code: AMQPSASLCode, additionalData: ByteBuffer?)

    public static let mechanismsCode: UInt64 = 0x40
    public static let initCode: UInt64 = 0x41
    public static let challengeCode: UInt64 = 0x42
    public static let responseCode: UInt64 = 0x43
    public static let outcomeCode: UInt64 = 0x44

    /// PLAIN (RFC 4616): empty authorization identity, then user and password, NUL separated.
    public static func plain(user: String, password: String, hostname: String? = nil) -> AMQPSASLFrame {
        var response = ByteBuffer()
        response.writeInteger(UInt8(0))
        response.writeString(user)
        response.writeInteger(UInt8(0))
        response.writeString(password)
        return .initial(mechanism: "PLAIN", initialResponse: response, hostname: hostname)
    }

    public static func anonymous(hostname: String? = nil) -> AMQPSASLFrame {
        .initial(mechanism: "ANONYMOUS", initialResponse: nil, hostname: hostname)
    }

    public var amqpValue: AMQPValue {
        var writer = AMQPFieldWriter()
        let code: UInt64
        switch self {
        case .mechanisms(let names):
            code = Self.mechanismsCode
            // Always an array: the field is "multiple" and mandatory, and some peers insist on the array form.
            writer.append(.array(names.map(AMQPValue.symbol)))
        case .initial(let mechanism, let response, let hostname):
            code = Self.initCode
            writer.append(symbol: mechanism)
            writer.append(response)
            writer.append(hostname)
        case .challenge(let data):
            code = Self.challengeCode
            writer.append(data)
        case .response(let data):
            code = Self.responseCode
            writer.append(data)
        case .outcome(let outcome, let data):
            code = Self.outcomeCode
            writer.append(outcome.rawValue)
            writer.append(data)
        }
        return .described(descriptor: .ulong(code), value: .list(writer.trimmed))
    }

    public init(decoding value: AMQPValue) throws(AMQPDecodeError) {
        guard case .described(.ulong(let code), let body) = value else {
            throw .unexpectedDescriptor(expected: "sasl frame", found: value)
        }
        guard case .list(let fields) = body else { throw .invalidField(type: "sasl", field: "(body)", found: body) }
        func field(_ i: Int) -> AMQPValue? { i < fields.count && !fields[i].isNull ? fields[i] : nil }
        func binary(_ i: Int, _ type: String, _ name: String) throws(AMQPDecodeError) -> ByteBuffer? {
            guard let v = field(i) else { return nil }
            guard case .binary(let b) = v else { throw .invalidField(type: type, field: name, found: v) }
            return b
        }
        switch code {
        case Self.mechanismsCode:
            switch field(0) {
            case .symbol(let s)?: self = .mechanisms([s])
            case .array(let elements)?:
                var names: [String] = []
                for element in elements {
                    guard case .symbol(let s) = element else {
                        throw .invalidField(type: "amqp:sasl-mechanisms:list", field: "sasl-server-mechanisms", found: element)
                    }
                    names.append(s)
                }
                self = .mechanisms(names)
            case let other?: throw .invalidField(type: "amqp:sasl-mechanisms:list", field: "sasl-server-mechanisms", found: other)
            case nil: throw .missingMandatoryField(type: "amqp:sasl-mechanisms:list", field: "sasl-server-mechanisms")
            }
        case Self.initCode:
            guard case .symbol(let mechanism)? = field(0) else {
                throw .missingMandatoryField(type: "amqp:sasl-init:list", field: "mechanism")
            }
            var hostname: String?
            if let v = field(2) {
                guard case .string(let h) = v else { throw .invalidField(type: "amqp:sasl-init:list", field: "hostname", found: v) }
                hostname = h
            }
            self = .initial(mechanism: mechanism, initialResponse: try binary(1, "amqp:sasl-init:list", "initial-response"), hostname: hostname)
        case Self.challengeCode:
            guard let data = try binary(0, "amqp:sasl-challenge:list", "challenge") else {
                throw .missingMandatoryField(type: "amqp:sasl-challenge:list", field: "challenge")
            }
            self = .challenge(data)
        case Self.responseCode:
            guard let data = try binary(0, "amqp:sasl-response:list", "response") else {
                throw .missingMandatoryField(type: "amqp:sasl-response:list", field: "response")
            }
            self = .response(data)
        case Self.outcomeCode:
            guard case .ubyte(let raw)? = field(0) else { throw .missingMandatoryField(type: "amqp:sasl-outcome:list", field: "code") }
            guard let outcome = AMQPSASLCode(rawValue: raw) else {
                throw .invalidField(type: "amqp:sasl-outcome:list", field: "code", found: .ubyte(raw))
            }
            self = .outcome(code: outcome, additionalData: try binary(1, "amqp:sasl-outcome:list", "additional-data"))
        default:
            throw .unexpectedDescriptor(expected: "sasl frame", found: value)
        }
    }
}
