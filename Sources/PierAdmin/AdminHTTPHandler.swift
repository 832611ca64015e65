import NIOCore
import NIOHTTP1

/// One HTTP/1.1 connection to the admin API (behind NIO's HTTP codec): serves the console's static
/// assets without credentials, checks access for everything under `/api`, routes, answers in JSON, or
/// turns into an event stream (`/api/events`, `/api/tail`) until the client goes away. Bad input gets the matching refusal: 400 for a malformed request, 413 for a body over
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
    /// Set once the connection carries an event stream: then it only writes, until it closes.
    private var stream: AdminStream?
    private var heartbeat: RepeatedTask?

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
        if head.method == .GET || head.method == .HEAD, let asset = ConsoleAsset.lookup(uri: head.uri) {
            var response = asset.response(ifNoneMatch: head.headers.first(name: "if-none-match"))
            if head.method == .HEAD { response.headers.append(("Content-Length", String(response.body.count))); response.body = [] }
            send(context: context, response, version: head.version, keepAlive: keepAlive)
            return
        }
        let user: String?
        switch access.decide(authorization: head.headers.first(name: "authorization")) {
        case .unauthorized:
            // Scripts (the console's fetch calls) say so with X-Requested-With: a Basic challenge would make
            // the browser open its own login dialog over the console's form.
            let challenge = head.headers.contains(name: "x-requested-with") ? [] : [("WWW-Authenticate", #"Basic realm="pier""#)]
            send(context: context, .failure(.unauthorized, "credentials required", headers: challenge), version: head.version, keepAlive: keepAlive)
            return
        case .forbidden:
            send(context: context, .failure(.forbidden, "the user has no admin grant"), version: head.version, keepAlive: keepAlive)
            return
        case .allowed(let who):
            user = who
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
        case .success(let route) where route.isStream:
            startStream(context: context, route: route, user: user, version: head.version)
        case .success(let route):
            if head.method != .GET {
                api.context.logger.info("admin change", metadata: ["user": "\(user ?? "anonymous")", "method": "\(head.method.rawValue)",
                                                                   "path": "\(head.uri)"])
            }
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

    /// Chunked `text/event-stream` with no end: the events come from `AdminStream`, a comment every
    /// `AdminHTTPServer.heartbeat` keeps idle streams open through proxies.
    private func startStream(context: ChannelHandlerContext, route: AdminRoute, user: String?, version: HTTPVersion) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/event-stream; charset=utf-8")
        headers.add(name: "Cache-Control", value: "no-store")
        // nginx would otherwise hold the events back to fill its buffer.
        headers.add(name: "X-Accel-Buffering", value: "no")
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .ok, headers: headers))), promise: nil)
        let stream = AdminStream(channel: context.channel)
        self.stream = stream
        heartbeat = context.eventLoop.scheduleRepeatedTask(initialDelay: AdminHTTPServer.heartbeat, delay: AdminHTTPServer.heartbeat) { _ in
            stream.offer(ServerSentEvent.ping)
        }
        api.subscribe(route, user: user, stream: stream)
    }

    private func endStream() {
        heartbeat?.cancel()
        heartbeat = nil
        stream?.close()
        stream = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        endStream()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        endStream()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { stream?.flush() }
        context.fireChannelWritabilityChanged()
    }

    private func refuse(context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ why: String) {
        refused = true
        send(context: context, .failure(status, why), version: head?.version ?? .http1_1, keepAlive: false, closeAfter: false)
    }

    private func send(context: ChannelHandlerContext, _ response: AdminResponse, version: HTTPVersion, keepAlive: Bool,
                      closeAfter: Bool = true) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        if !response.body.isEmpty && !headers.contains(name: "Content-Type") { headers.add(name: "Content-Type", value: "application/json") }
        if !headers.contains(name: "Content-Length") { headers.add(name: "Content-Length", value: String(response.body.count)) }
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        if !headers.contains(name: "Cache-Control") { headers.add(name: "Cache-Control", value: "no-store") }
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
            // A stream's client only reads; a dead one is found by the heartbeat's failed write.
            if stream == nil { context.close(promise: nil) }
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
