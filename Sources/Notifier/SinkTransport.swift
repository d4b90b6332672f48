import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends one request and returns the HTTP answer; a protocol so dispatcher tests can use a fake.
protocol SinkTransport: Sendable {
    func send(_ request: SinkRequest, timeout: Duration) async throws -> (status: Int, body: [UInt8])
}

/// The real transport over AsyncHTTPClient, with pooled keep-alive connections.
struct HTTPSinkTransport: SinkTransport {
    let client: HTTPClient

    /// Response bodies are small JSON objects; anything bigger is cut (we only read the code).
    static let maxResponseBytes = 64 * 1024

    func send(_ request: SinkRequest, timeout: Duration) async throws -> (status: Int, body: [UInt8]) {
        var http = HTTPClientRequest(url: request.url)
        http.method = .POST
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        http.body = .bytes(ByteBuffer(bytes: request.body))
        let response = try await client.execute(http, timeout: .milliseconds(timeout.milliseconds))
        let body = try await response.body.collect(upTo: Self.maxResponseBytes)
        return (Int(response.status.code), Array(buffer: body))
    }
}
