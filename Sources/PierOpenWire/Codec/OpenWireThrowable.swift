/// A Java exception as OpenWire carries it (ExceptionResponse, ConnectionError, a poison MessageAck):
/// class name and message and, only when `StackTraceEnabled` was negotiated, the stack trace and the
/// cause chain. With stack traces off, `stackTrace` is empty and `cause` nil on the wire and here.
public struct OpenWireThrowable: Sendable, Hashable {
    public struct StackTraceElement: Sendable, Hashable {
        public var className: String?
        public var methodName: String?
        public var fileName: String?
        public var lineNumber: Int32

        public init(className: String?, methodName: String?, fileName: String?, lineNumber: Int32) {
            self.className = className
            self.methodName = methodName
            self.fileName = fileName
            self.lineNumber = lineNumber
        }
    }

    /// `javax.jms.JMSSecurityException`, `java.lang.IllegalStateException`...: a Java client rebuilds
    /// the exception from this name, so use a class it has.
    public var className: String?
    public var message: String?
    public var stackTrace: [StackTraceElement]
    private var causeBox: Box?

    public var cause: OpenWireThrowable? {
        get { causeBox?.value }
        set { causeBox = newValue.map(Box.value) }
    }

    /// The cause is an `OpenWireThrowable` inside an `OpenWireThrowable`: a value type needs the
    /// indirection.
    private indirect enum Box: Sendable, Hashable {
        case value(OpenWireThrowable)
        var value: OpenWireThrowable {
            switch self { case .value(let v): return v }
        }
    }

    public init(className: String?, message: String?, stackTrace: [StackTraceElement] = [],
                cause: OpenWireThrowable? = nil) {
        self.className = className
        self.message = message
        self.stackTrace = stackTrace
        self.cause = cause
    }

    /// Reads what follows the presence boolean (see `OpenWireReader.throwable`).
    init(reading r: inout OpenWireReader) throws(OpenWireDecodeError) {
        className = try r.string("Throwable.className")
        message = try r.string("Throwable.message")
        stackTrace = []
        guard r.options.stackTraceEnabled else { return }
        let at = r.offset
        let count = Int(try r.int16("Throwable.stackTrace"))
        guard count >= 0 else { throw r.error(.negativeLength(count), "Throwable.stackTrace", at: at) }
        // An element takes at least 7 bytes: three presence booleans and the line number.
        guard count * 7 <= r.remaining else {
            throw r.error(.lengthBeyondFrame(length: count, available: r.remaining), "Throwable.stackTrace", at: at)
        }
        stackTrace.reserveCapacity(count)
        for _ in 0..<count {
            stackTrace.append(StackTraceElement(
                className: try r.string("StackTraceElement.className"),
                methodName: try r.string("StackTraceElement.methodName"),
                fileName: try r.string("StackTraceElement.fileName"),
                lineNumber: try r.int32("StackTraceElement.lineNumber")))
        }
        cause = try r.throwable("Throwable.cause")
    }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        try w.string(className, "Throwable.className")
        try w.string(message, "Throwable.message")
        guard w.options.stackTraceEnabled else { return }
        guard stackTrace.count <= Int(Int16.max) else {
            throw OpenWireEncodeError(.arrayTooLong(count: stackTrace.count), field: "Throwable.stackTrace")
        }
        w.int16(Int16(stackTrace.count))
        for element in stackTrace {
            try w.string(element.className, "StackTraceElement.className")
            try w.string(element.methodName, "StackTraceElement.methodName")
            try w.string(element.fileName, "StackTraceElement.fileName")
            w.int32(element.lineNumber)
        }
        try w.throwable(cause, "Throwable.cause")
    }
}
