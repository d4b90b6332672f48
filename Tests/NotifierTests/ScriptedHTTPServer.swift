import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A loopback HTTP/1.1 server for the webhook client's tests: answers each request as `answer` says, counts the
/// connections it accepted, optionally speaks TLS.
final class ScriptedHTTPServer: Sendable {
    /// What to do with one request.
    enum Answer: Sendable {
        /// Status and body, keeping the connection open.
        case respond(status: Int, body: String)
        /// Status and body with `Connection: close`, then close.
        case respondAndClose(status: Int, body: String)
        /// Close the connection without answering.
        case hangUp
        /// Never answer.
        case stall
    }

    struct Request: Sendable {
        let head: HTTPRequestHead
        let body: String
        /// Which accepted connection (1-based) carried it.
        let connection: Int
    }

    /// What the server saw, shared with its connections.
    private final class Log: Sendable {
        let state = Mutex<(connections: Int, requests: [Request])>((0, []))
    }

    private let channel: any Channel
    private let log: Log
    let port: Int

    var connectionsAccepted: Int { log.state.withLock { $0.connections } }
    var requests: [Request] { log.state.withLock { $0.requests } }

    init(tls: NIOSSLContext? = nil, answer: @escaping @Sendable (Request) -> Answer) async throws {
        let log = Log()
        self.log = log
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    let number = log.state.withLock { state -> Int in
                        state.connections += 1
                        return state.connections
                    }
                    if let tls { try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(
                        Handler(connection: number, answer: answer) { request in
                            log.state.withLock { $0.requests.append(request) }
                        })
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress!.port!
    }

    func url(_ path: String = "/hook?token=secret-token", scheme: String = "http", host: String = "127.0.0.1")
        -> String
    {
        "\(scheme)://\(host):\(port)\(path)"
    }

    func close() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let connection: Int
        let answer: @Sendable (Request) -> Answer
        let record: @Sendable (Request) -> Void
        var head: HTTPRequestHead?
        var body = ""

        init(
            connection: Int, answer: @escaping @Sendable (Request) -> Answer,
            record: @escaping @Sendable (Request) -> Void
        ) {
            self.connection = connection
            self.answer = answer
            self.record = record
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let requestHead):
                head = requestHead
                body = ""
            case .body(let buffer):
                body += String(buffer: buffer)
            case .end:
                guard let head else { return }
                let request = Request(head: head, body: body, connection: connection)
                record(request)
                switch answer(request) {
                case .respond(let status, let text):
                    respond(context, status: status, body: text, close: false)
                case .respondAndClose(let status, let text):
                    respond(context, status: status, body: text, close: true)
                case .hangUp:
                    context.close(promise: nil)
                case .stall:
                    break
                }
            }
        }

        private func respond(_ context: ChannelHandlerContext, status: Int, body: String, close: Bool) {
            var headers = HTTPHeaders([("Content-Length", String(body.utf8.count))])
            if close { headers.add(name: "Connection", value: "close") }
            let head = HTTPResponseHead(
                version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if close {
                let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                done.whenComplete { _ in loopBound.value.close(promise: nil) }
            }
        }
    }
}
