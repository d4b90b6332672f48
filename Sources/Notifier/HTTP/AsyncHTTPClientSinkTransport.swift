import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The sink transport on AsyncHTTPClient, on the notifier's one event loop, configured as `WebhookHTTPClient` is
/// (keep-alive pool of 16 per origin, 30 s idle, no redirects, 64 KiB answers). Chosen with
/// `NOTIFIER_HTTP_CLIENT=async-http-client`, for the per-delivery CPU comparison in BENCHMARKS.md.
struct AsyncHTTPClientSinkTransport: SinkTransport, Service {
    let client: HTTPClient

    init() {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
        configuration.timeout = .init(connect: .seconds(10))
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    func send(_ request: SinkRequest, timeout: Duration) async throws -> (status: Int, body: [UInt8]) {
        var http = HTTPClientRequest(url: request.url)
        http.method = .POST
        http.headers.add(name: "User-Agent", value: "guance-chatops-notifier")
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        http.body = .bytes(request.body)
        let response = try await client.execute(http, timeout: TimeAmount(timeout))
        let body = try await response.body.collect(upTo: 64 * 1024)
        return (Int(response.status.code), Array(buffer: body))
    }

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
