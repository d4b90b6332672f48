import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// The notifier's HTTP/1.1 client for webhook POSTs: keep-alive connections pooled per origin, one request at a time
/// on each, TLS for https, a deadline per request, the answer's body capped.
///
/// Written on SwiftNIO rather than AsyncHTTPClient because the notifier spends most of its CPU on this one request
/// shape (BENCHMARKS.md, Notifier): no redirects, no proxies, no streaming, no tracing spans; each request is a write
/// and a read on a connection that is already open.
final class WebhookHTTPClient: Sendable {
    struct Settings: Sendable {
        /// Idle connections kept per origin; more are closed after their answer.
        var maxIdleConnectionsPerOrigin = 16
        /// An idle connection is closed after this long (servers drop idle keep-alive connections too).
        var idleTimeout: Duration = .seconds(30)
        /// Bytes of an answer's body kept (the platforms answer with a small JSON object; only its code is read).
        var maxResponseBytes = 64 * 1024
        /// TLS for https origins: system trust roots, hostname verification.
        var tls: TLSConfiguration = .makeClientConfiguration()
    }

    private struct IdleConnection {
        let channel: any Channel
        let since: NIODeadline
    }

    private struct Pool {
        /// Most recently used last.
        var idle: [WebhookURL.Origin: [IdleConnection]] = [:]
        var isShutDown = false
    }

    private let group: any EventLoopGroup
    private let settings: Settings
    private let pool = Mutex(Pool())
    private let tlsContext = Mutex<NIOSSLContext?>(nil)

    init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, settings: Settings = Settings()) {
        self.group = group
        self.settings = settings
    }

    /// POSTs `body` to `url` and returns the answer, or throws when there is none within `timeout`.
    func post(
        _ url: String, headers: [(String, String)], body: [UInt8], timeout: Duration
    ) async throws(WebhookHTTPError) -> WebhookResponse {
        let target = try WebhookURL(url)
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let channel = try await connection(to: target.origin, deadline: deadline)
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target.target)
        head.headers.reserveCapacity(headers.count + 3)
        head.headers.add(name: "Host", value: target.origin.hostHeader)
        head.headers.add(name: "User-Agent", value: "guance-chatops-notifier")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        head.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        let answer = channel.eventLoop.makePromise(of: WebhookResponse.self)
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { error in
            answer.fail(
                WebhookHTTPError.connectionClosed(origin: target.origin.description, reason: "write failed: \(error)"))
        }
        let exchange = WebhookExchange(
            head: head, body: channel.allocator.buffer(bytes: body), deadline: deadline, timeout: timeout,
            answer: answer)
        channel.writeAndFlush(exchange, promise: written)
        let response: WebhookResponse
        do {
            response = try await answer.futureResult.get()
        } catch let error as WebhookHTTPError {
            throw error
        } catch {
            throw .connectionClosed(origin: target.origin.description, reason: "\(error)")
        }
        if response.keepAlive { release(channel, origin: target.origin) }
        return response
    }

    /// Closes the idle connections; later requests fail with `.shutDown`.
    func shutdown() async {
        let channels = pool.withLock { pool in
            pool.isShutDown = true
            defer { pool.idle.removeAll() }
            return pool.idle.values.flatMap { $0.map(\.channel) }
        }
        for channel in channels { try? await channel.close() }
    }

    // MARK: - Connections

    private func connection(
        to origin: WebhookURL.Origin, deadline: NIODeadline
    ) async throws(WebhookHTTPError) -> any Channel {
        while let idle = try takeIdle(origin) {
            if idle.isActive { return idle }
        }
        let tls = try origin.tls ? tlsContext(origin: origin) : nil
        let remaining = deadline - NIODeadline.now()
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(max(remaining, .milliseconds(1)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [settings] channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        let hostname = origin.host.isIPAddress ? nil : origin.host
                        try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: hostname))
                    }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(
                        WebhookConnectionHandler(
                            origin: origin.description, maxResponseBytes: settings.maxResponseBytes,
                            idleTimeout: TimeAmount(settings.idleTimeout)))
                }
            }
        do {
            return try await bootstrap.connect(host: origin.host, port: origin.port).get()
        } catch {
            throw .connectFailed(origin: origin.description, reason: "\(error)")
        }
    }

    /// The most recently used idle connection, unless its own idle timer is about to close it (a second's margin):
    /// such connections, and any older ones, are closed instead.
    private func takeIdle(_ origin: WebhookURL.Origin) throws(WebhookHTTPError) -> (any Channel)? {
        let freshAfter = NIODeadline.now() - TimeAmount(settings.idleTimeout) + .seconds(1)
        let (fresh, stale) = try pool.withLock { pool throws(WebhookHTTPError) -> ((any Channel)?, [any Channel]) in
            guard !pool.isShutDown else { throw .shutDown }
            guard let last = pool.idle[origin]?.popLast() else { return (nil, []) }
            if last.since > freshAfter { return (last.channel, []) }
            defer { pool.idle[origin] = nil }
            return (nil, [last.channel] + (pool.idle[origin] ?? []).map(\.channel))
        }
        for channel in stale { channel.close(promise: nil) }
        return fresh
    }

    private func release(_ channel: any Channel, origin: WebhookURL.Origin) {
        let keep = pool.withLock { pool -> Bool in
            guard !pool.isShutDown, (pool.idle[origin]?.count ?? 0) < settings.maxIdleConnectionsPerOrigin else {
                return false
            }
            pool.idle[origin, default: []].append(IdleConnection(channel: channel, since: .now()))
            return true
        }
        if !keep { channel.close(promise: nil) }
    }

    private func tlsContext(origin: WebhookURL.Origin) throws(WebhookHTTPError) -> NIOSSLContext {
        try tlsContext.withLock { cached throws(WebhookHTTPError) -> NIOSSLContext in
            if let cached { return cached }
            do {
                let context = try NIOSSLContext(configuration: settings.tls)
                cached = context
                return context
            } catch {
                throw .connectFailed(origin: origin.description, reason: "TLS set-up failed: \(error)")
            }
        }
    }
}

extension String {
    /// An IPv4 or IPv6 literal (no SNI for those).
    fileprivate var isIPAddress: Bool {
        contains(":") || (!isEmpty && allSatisfy { $0 == "." || $0.isASCII && $0.isNumber })
    }
}
