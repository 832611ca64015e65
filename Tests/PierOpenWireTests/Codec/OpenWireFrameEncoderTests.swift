import NIOCore
import XCTest
@testable import PierOpenWire

/// Writing frames: the size prefix, appending after what a buffer holds, and the refusals that keep a
/// frame the peer could not read from going out.
final class OpenWireFrameEncoderTests: XCTestCase {
    private typealias S = OpenWireCodecTestSupport

    func testAppendsAfterExistingBytes() throws {
        var buffer = ByteBuffer(bytes: [0xAA, 0xBB])
        var encoder = OpenWireFrameEncoder()
        try encoder.encode(.keepAliveInfo(OpenWireCommandHeader(commandId: 1)), into: &buffer)
        try encoder.encode(.response(OpenWireResponse(correlationId: 1)), into: &buffer)
        XCTAssertEqual(Array(buffer.readableBytesView),
                       [0xAA, 0xBB] + S.framed([10] + S.be32(1) + [0]) + S.framed([30] + S.be32(0) + [0] + S.be32(1)))
    }

    func testRefusalsAppendNothing() {
        let brokerPath = [OpenWireBrokerId?](repeating: nil, count: 32768)
        let trace = [OpenWireThrowable.StackTraceElement](
            repeating: .init(className: nil, methodName: nil, fileName: nil, lineNumber: 0), count: 32768)
        let cases: [(OpenWireCommand, OpenWireEncodeError.Reason, String)] = [
            (.connectionInfo(OpenWireConnectionInfo(userName: String(repeating: "u", count: 65536))),
             .stringTooLong(utf8Length: 65536), "ConnectionInfo.userName"),
            (.connectionInfo(OpenWireConnectionInfo(brokerPath: brokerPath)), .arrayTooLong(count: 32768), "ConnectionInfo.brokerPath"),
            (.response(OpenWireResponse(correlationId: 1, payload: .exception(OpenWireThrowable(className: "E", message: nil,
                                                                                               stackTrace: trace)))),
             .arrayTooLong(count: 32768), "Throwable.stackTrace"),
            (.sessionInfo(OpenWireSessionInfo(sessionId: OpenWireSessionId(connectionId: String(repeating: "\u{800}", count: 21846),
                                                                           value: 1))),
             .stringTooLong(utf8Length: 65538), "SessionId.connectionId"),
        ]
        for (command, reason, field) in cases {
            var buffer = ByteBuffer(bytes: [1, 2, 3])
            var encoder = OpenWireFrameEncoder(options: S.negotiated)
            XCTAssertThrowsError(try encoder.encode(command, into: &buffer)) { error in
                XCTAssertEqual((error as? OpenWireEncodeError)?.reason, reason)
                XCTAssertEqual((error as? OpenWireEncodeError)?.field, field)
                XCTAssertFalse(String(describing: error).isEmpty)
            }
            XCTAssertEqual(Array(buffer.readableBytesView), [1, 2, 3])
        }
    }

    /// The largest allowed values go out and come back.
    func testLimitsAreInclusive() throws {
        let brokerPath = [OpenWireBrokerId?](repeating: OpenWireBrokerId("b"), count: 32767)
        let command = OpenWireCommand.connectionInfo(OpenWireConnectionInfo(brokerPath: brokerPath))
        XCTAssertEqual(try S.decode(S.frame(command), options: OpenWireFormatOptions(maxFrameSize: 1 << 20)), command)
    }
}
