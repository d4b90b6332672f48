import NIOCore
import NIOHTTP1

/// One request handed to a connection, and where its answer goes.
struct WebhookExchange: Sendable {
    let head: HTTPRequestHead
    let body: ByteBuffer
    let deadline: NIODeadline
    /// The whole request's time budget (for the error message).
    let timeout: Duration
    let answer: EventLoopPromise<WebhookResponse>
}

/// An HTTP answer: the status, the headers, the first `maxResponseBytes` of the body, and whether the connection may
/// be reused.
struct WebhookResponse: Sendable, Equatable {
    let status: Int
    var headers: HTTPHeaders = [:]
    let body: [UInt8]
    let keepAlive: Bool
}

/// Runs one exchange at a time on its connection: writes the request, collects the answer (body capped), fails the
/// exchange on its deadline, an error or the peer closing, and closes the connection after `idleTimeout` unused.
final class WebhookConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = WebhookExchange
    typealias OutboundOut = HTTPClientRequestPart

    private let origin: String
    private let maxResponseBytes: Int
    private let idleTimeout: TimeAmount
    private var current: WebhookExchange?
    private var deadlineTimer: Scheduled<Void>?
    private var idleTimer: Scheduled<Void>?
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []

    init(origin: String, maxResponseBytes: Int, idleTimeout: TimeAmount) {
        self.origin = origin
        self.maxResponseBytes = maxResponseBytes
        self.idleTimeout = idleTimeout
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard current == nil else {
            // The pool hands a connection to one request at a time; anything else is a bug, not a retry case.
            exchange.answer.fail(WebhookHTTPError.connectionClosed(origin: origin, reason: "connection busy"))
            promise?.succeed()
            return
        }
        idleTimer?.cancel()
        idleTimer = nil
        current = exchange
        head = nil
        body.removeAll(keepingCapacity: true)
        deadlineTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: exchange.deadline) {
            self.fail(WebhookHTTPError.timedOut(origin: self.origin, after: exchange.timeout), context: context)
        }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if exchange.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(exchange.body))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard current != nil else {
            // Bytes nobody asked for: the connection is out of step, do not reuse it.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            // 1xx answers are interim; the real head follows.
            if responseHead.status.code >= 200 { head = responseHead }
        case .body(var buffer):
            let room = maxResponseBytes - body.count
            if room > 0, let bytes = buffer.readBytes(length: min(room, buffer.readableBytes)) {
                body.append(contentsOf: bytes)
            }
        case .end:
            guard let head, let exchange = current else { return }
            finish()
            let response = WebhookResponse(
                status: Int(head.status.code), headers: head.headers, body: body, keepAlive: head.isKeepAlive)
            exchange.answer.succeed(response)
            if response.keepAlive {
                idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: idleTimeout) {
                    if self.current == nil { context.close(promise: nil) }
                }
            } else {
                context.close(promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(WebhookHTTPError.connectionClosed(origin: origin, reason: "\(error)"), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        if let exchange = current {
            finish()
            exchange.answer.fail(WebhookHTTPError.connectionClosed(origin: origin, reason: "closed by the server"))
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        if let exchange = current {
            finish()
            exchange.answer.fail(WebhookHTTPError.connectionClosed(origin: origin, reason: "connection torn down"))
        }
    }

    private func fail(_ error: WebhookHTTPError, context: ChannelHandlerContext) {
        if let exchange = current {
            finish()
            exchange.answer.fail(error)
        }
        context.close(promise: nil)
    }

    private func finish() {
        current = nil
        deadlineTimer?.cancel()
        deadlineTimer = nil
    }
}
