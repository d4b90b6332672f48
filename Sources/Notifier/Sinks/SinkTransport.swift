/// Sends one request and returns the HTTP answer; a protocol so dispatcher tests can use a fake.
protocol SinkTransport: Sendable {
    func send(_ request: SinkRequest, timeout: Duration) async throws -> (status: Int, body: [UInt8])
}

/// The real transport: the notifier's keep-alive webhook client.
struct HTTPSinkTransport: SinkTransport {
    let client: WebhookHTTPClient

    func send(_ request: SinkRequest, timeout: Duration) async throws -> (status: Int, body: [UInt8]) {
        let answer = try await client.post(request.url, headers: request.headers, body: request.body, timeout: timeout)
        return (answer.status, answer.body)
    }
}
