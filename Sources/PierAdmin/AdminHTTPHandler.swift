import NIOCore
import NIOHTTP1

/// One HTTP/1.1 connection to the admin API (behind NIO's HTTP codec): checks access, routes, answers
/// in JSON. Bad input gets the matching refusal: 400 for a malformed request, 413 for a body over
/// `maxBodyBytes` (no endpoint takes one), 431 for oversized headers.
final class AdminHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let maxBodyBytes = 64 * 1024
    /// How much of a refused body is read and dropped before the connection is cut.
    static let maxDiscardBytes = 1 << 20

    private let api: AdminAPI
    private let access: AdminAccess
    private var head: HTTPRequestHead?
    private var bodyBytes = 0
    /// Set once a refusal has been sent for this request: the rest of it is ignored and the connection closes.
    private var refused = false
    private var responding = false

    init(api: AdminAPI, access: AdminAccess) {
        self.api = api
        self.access = access
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            bodyBytes = 0
            refused = false
            if let length = h.headers.first(name: "content-length").flatMap(Int.init), length > Self.maxBodyBytes {
                refuse(context: context, .payloadTooLarge, "request body over \(Self.maxBodyBytes) bytes")
            }
        case .body(let chunk):
            bodyBytes += chunk.readableBytes
            if bodyBytes > Self.maxBodyBytes && !refused {
                refuse(context: context, .payloadTooLarge, "request body over \(Self.maxBodyBytes) bytes")
            } else if refused && bodyBytes > Self.maxDiscardBytes {
                context.close(promise: nil)
            }
        case .end:
            if refused {
                // Closing only now lets the client finish sending and read the refusal, instead of
                // getting a reset for the bytes it was still writing.
                context.close(promise: nil)
                return
            }
            guard let head else { return }
            self.head = nil
            handle(context: context, head: head)
        }
    }

    private func handle(context: ChannelHandlerContext, head: HTTPRequestHead) {
        let keepAlive = head.isKeepAlive
        switch access.decide(authorization: head.headers.first(name: "authorization")) {
        case .unauthorized:
            send(context: context, .failure(.unauthorized, "credentials required", headers: [("WWW-Authenticate", #"Basic realm="pier""#)]),
                 version: head.version, keepAlive: keepAlive)
            return
        case .forbidden:
            send(context: context, .failure(.forbidden, "the user has no admin grant"), version: head.version, keepAlive: keepAlive)
            return
        case .allowed:
            break
        }
        switch AdminRouter.route(method: head.method, uri: head.uri) {
        case .failure(.notFound):
            send(context: context, .failure(.notFound, "no such resource"), version: head.version, keepAlive: keepAlive)
        case .failure(.methodNotAllowed(let allowed)):
            send(context: context, .failure(.methodNotAllowed, "method not allowed",
                                            headers: [("Allow", allowed.map(\.rawValue).joined(separator: ", "))]),
                 version: head.version, keepAlive: keepAlive)
        case .failure(.badRequest(let why)):
            send(context: context, .failure(.badRequest, why), version: head.version, keepAlive: keepAlive)
        case .success(let route):
            responding = true
            let version = head.version
            api.respond(to: route, on: context.eventLoop).assumeIsolated().whenComplete { result in
                self.responding = false
                switch result {
                case .success(let response):
                    self.send(context: context, response, version: version, keepAlive: keepAlive)
                case .failure(let error):
                    self.send(context: context, .failure(.internalServerError, "\(error)"), version: version, keepAlive: keepAlive)
                }
            }
        }
    }

    private func refuse(context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ why: String) {
        refused = true
        send(context: context, .failure(status, why), version: head?.version ?? .http1_1, keepAlive: false, closeAfter: false)
    }

    private func send(context: ChannelHandlerContext, _ response: AdminResponse, version: HTTPVersion, keepAlive: Bool,
                      closeAfter: Bool = true) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        if !response.body.isEmpty { headers.add(name: "Content-Type", value: response.contentType) }
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        headers.add(name: "Cache-Control", value: "no-store")
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))), promise: nil)
        if !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive && closeAfter {
            done.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// The HTTP decoder's errors: answered once, then the connection closes (the stream cannot be resynchronised).
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !refused, !responding else {
            context.close(promise: nil)
            return
        }
        refused = true
        let status: HTTPResponseStatus
        if let parse = error as? HTTPParserError, parse == .headerOverflow {
            status = .requestHeaderFieldsTooLarge
        } else if error is HTTPParserError {
            status = .badRequest
        } else {
            context.close(promise: nil)
            return
        }
        send(context: context, .failure(status, "malformed request"), version: .http1_1, keepAlive: false)
    }
}
