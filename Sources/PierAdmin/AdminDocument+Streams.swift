import PierAdminModel
import FoundationEssentials
import PierCore

/// The JSON of the two event streams' events (`docs/admin-api.yaml`, LogRecord and TailMessage).
extension AdminDocument {
    struct LogRecord: Encodable {
        /// Milliseconds since the epoch.
        var time: Int64
        var level: String
        var label: String
        var message: String
        var source: String
        var metadata: [String: String]
    }

    struct TailMessage: Encodable {
        /// The most payload bytes one event carries; the rest is cut (`truncated`), so one big message
        /// cannot fill a stream's buffer.
        static let maxPayloadBytes = 4096

        var time: Int64
        var topic: String
        var qos: Int
        var retain: Bool
        /// The whole payload's size.
        var bytes: Int
        /// The payload as text when it is UTF-8 (after truncation), else null and `payloadBase64` is set.
        var payload: String?
        var payloadBase64: String?
        var truncated: Bool
        var contentType: String?

        init(_ d: Delivery, time: Int64) {
            let m = d.message
            self.time = time
            topic = m.topic
            qos = Int(m.qos.rawValue)
            retain = m.retain
            bytes = m.payload.readableBytes
            truncated = bytes > Self.maxPayloadBytes
            contentType = m.contentType
            let head = Array(m.payload.readableBytesView.prefix(Self.maxPayloadBytes))
            if let text = Self.text(head, truncated: truncated) {
                payload = text
            } else {
                payloadBase64 = Data(head).base64EncodedString()
            }
        }

        /// UTF-8 text, allowing the cut to have split the last character (up to 3 bytes of it are dropped).
        static func text(_ bytes: [UInt8], truncated: Bool) -> String? {
            for cut in 0...(truncated ? min(3, bytes.count) : 0) {
                if let s = String(validating: bytes.dropLast(cut), as: UTF8.self) { return s }
            }
            return nil
        }
    }
}
