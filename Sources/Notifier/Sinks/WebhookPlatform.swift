import Foundation

/// A platform reached by one POST per message to a fixed URL, answered synchronously: the platform signs the request
/// and classifies the answer; `WebhookDelivery` does the rest.
protocol WebhookPlatform: SinkPlatform {
    /// Adds the platform's signature (body fields, URL query or headers) for `secret` at `now`.
    static func sign(_ request: inout SinkRequest, secret: String, now: Date)
    /// What an HTTP answer of the platform means (most chat platforms answer HTTP 200 with an error code).
    static func classify(status: Int, body: [UInt8]) -> SendOutcome
    /// What an answer means when its headers matter too (`Retry-After`); by default status and body decide.
    static func classify(_ answer: SinkAnswer) -> SendOutcome
}

extension WebhookPlatform {
    static func classify(_ answer: SinkAnswer) -> SendOutcome {
        classify(status: answer.status, body: answer.body)
    }

    static func makeDelivery(_ definition: SinkDefinition, transport: any SinkTransport, context: SinkContext)
        -> any SinkDelivery
    {
        WebhookDelivery<Self>(definition: definition, transport: transport)
    }

    /// The HTTP request for a rendered body, signed as the platform wants at `now` when the sink has a secret.
    static func request(_ definition: SinkDefinition, body: [UInt8], now: Date = Date()) -> SinkRequest {
        var request = SinkRequest(
            url: definition.url, headers: [("Content-Type", "application/json; charset=utf-8")], body: body)
        if let secret = definition.secret { sign(&request, secret: secret, now: now) }
        return request
    }
}

/// Render → sign → one POST → classify, for every `WebhookPlatform`.
struct WebhookDelivery<Platform: WebhookPlatform>: SinkDelivery {
    let definition: SinkDefinition
    let transport: any SinkTransport

    func deliver(_ message: SinkMessage, renderer: MessageRenderer, timeout: Duration) async -> SendOutcome {
        let body: [UInt8] =
            switch message {
            case let .event(event, raw): renderer.render(event, raw: raw)
            case let .digest(events): renderer.renderDigest(events)
            }
        do {
            let answer = try await transport.send(Platform.request(definition, body: body), timeout: timeout)
            return Platform.classify(answer)
        } catch {
            return .retryable(reason: "transport: \(error)")
        }
    }

    func run() async {}
}

/// One HTTP POST to a sink.
struct SinkRequest: Sendable {
    var url: String
    var headers: [(String, String)]
    var body: [UInt8]
}
