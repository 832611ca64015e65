/// The answers to a command sent with `responseRequired`: `correlationId` is that command's
/// `commandId`. One type for the five response commands, which differ only in what follows it.
public struct OpenWireResponse: Sendable, Hashable {
    public enum Payload: Sendable, Hashable {
        /// `Response` (30): success, nothing more.
        case none
        /// `ExceptionResponse` (31): the command failed; a Java client throws this exception.
        case exception(OpenWireThrowable?)
        /// `DataResponse` (32): a data structure (a broker's answer to some network commands).
        case data(OpenWireDataStructure?)
        /// `DataArrayResponse` (33): several (XA recover returns its Xids this way).
        case dataArray([OpenWireDataStructure?]?)
        /// `IntegerResponse` (34): a number (XA prepare returns its vote this way).
        case integer(Int32)
    }

    public var commandId: Int32
    public var responseRequired: Bool
    public var correlationId: Int32
    public var payload: Payload

    public init(commandId: Int32 = 0, responseRequired: Bool = false, correlationId: Int32, payload: Payload = .none) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.correlationId = correlationId
        self.payload = payload
    }
}

extension OpenWireResponse: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool {
        (OpenWireTypeID.response.rawValue...OpenWireTypeID.integerResponse.rawValue).contains(type)
    }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("Response.commandId")
        responseRequired = try r.bool("Response.responseRequired")
        correlationId = try r.int32("Response.correlationId")
        switch OpenWireTypeID(rawValue: type) {
        case .exceptionResponse:
            payload = .exception(try r.throwable("ExceptionResponse.exception"))
        case .dataResponse:
            payload = .data(try r.nested(OpenWireDataStructure.self, "DataResponse.data"))
        case .dataArrayResponse:
            payload = .dataArray(try r.array(OpenWireDataStructure.self, "DataArrayResponse.data"))
        case .integerResponse:
            payload = .integer(try r.int32("IntegerResponse.result"))
        default:
            payload = .none
        }
    }

    var typeID: OpenWireTypeID {
        switch payload {
        case .none: return .response
        case .exception: return .exceptionResponse
        case .data: return .dataResponse
        case .dataArray: return .dataArrayResponse
        case .integer: return .integerResponse
        }
    }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        w.int32(correlationId)
        switch payload {
        case .none: break
        case .exception(let exception): try w.throwable(exception, "ExceptionResponse.exception")
        case .data(let data): try w.nested(data, "DataResponse.data")
        case .dataArray(let data): try w.array(data, "DataArrayResponse.data")
        case .integer(let result): w.int32(result)
        }
    }

    var asDataStructure: OpenWireDataStructure { .command(.response(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.response(let response)) = dataStructure else { return nil }
        self = response
    }
}
