import NIOHTTP1

/// An HTTP answer of a sink: the status, the start of the body and the headers (a 429's `Retry-After`).
struct SinkAnswer: Sendable {
    var status: Int
    var body: [UInt8]
    var headers: HTTPHeaders = [:]
}

/// Sends one request and returns the HTTP answer; a protocol so dispatcher tests can use a fake.
protocol SinkTransport: Sendable {
    func send(_ request: SinkRequest, timeout: Duration) async throws -> SinkAnswer
}

/// The real transport: the notifier's keep-alive webhook client.
struct HTTPSinkTransport: SinkTransport {
    let client: WebhookHTTPClient

    func send(_ request: SinkRequest, timeout: Duration) async throws -> SinkAnswer {
        let answer = try await client.post(request.url, headers: request.headers, body: request.body, timeout: timeout)
        return SinkAnswer(status: answer.status, body: answer.body, headers: answer.headers)
    }
}
