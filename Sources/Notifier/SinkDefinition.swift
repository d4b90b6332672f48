import Foundation

/// A configured destination: from the environment (`feishu`, `feishu-flow`, `dingtalk`, `wecom`, `webhook`) or a
/// named entry of the routes file.
struct SinkDefinition: Sendable {
    var name: String
    var kind: SinkKind
    var url: String
    var secret: String?
    /// Client-side limits; empty = off.
    var limits: [RateWindow]
    var template: SinkTemplate?
    /// How long a rate-limit answer pauses every send to this sink.
    var rateLimitPause: Duration

    init(
        name: String, kind: SinkKind, url: String, secret: String? = nil, limits: [RateWindow]? = nil,
        template: SinkTemplate? = nil
    ) {
        self.name = name
        self.kind = kind
        self.url = url
        self.secret = secret
        self.limits = limits ?? kind.documentedLimits
        self.template = template
        self.rateLimitPause = kind.rateLimitPause
    }

    /// The HTTP request for a rendered body, signed as the platform wants at `now`.
    func request(body: [UInt8], now: Date = Date()) -> SinkRequest {
        var url = self.url
        var body = body
        var headers = [("Content-Type", "application/json; charset=utf-8")]
        switch kind {
        case .feishu:
            if let secret {
                let timestamp = String(Int64(now.timeIntervalSince1970))
                let sign = SinkSigner.feishu(timestamp: timestamp, secret: secret)
                // Top-level "timestamp" and "sign" next to msg_type: splice them after the opening brace.
                if body.first == UInt8(ascii: "{") {
                    let fields = "\"sign\":\"\(sign)\",\"timestamp\":\"\(timestamp)\"" + (body.count > 2 ? "," : "")
                    body.insert(contentsOf: Array(fields.utf8), at: 1)
                }
            }
        case .dingtalk:
            if let secret {
                let timestamp = String(Int64(now.timeIntervalSince1970 * 1000))
                url += (url.contains("?") ? "&" : "?") + SinkSigner.dingtalkQuery(timestamp: timestamp, secret: secret)
            }
        case .webhook:
            if let secret {
                let timestamp = String(Int64(now.timeIntervalSince1970))
                headers.append((WebhookHeaders.timestamp, timestamp))
                headers.append(
                    (WebhookHeaders.signature, SinkSigner.webhook(timestamp: timestamp, body: body, secret: secret)))
            }
        case .feishuFlow, .wecom:
            break
        }
        return SinkRequest(url: url, headers: headers, body: body)
    }
}

/// One HTTP POST to a sink.
struct SinkRequest: Sendable {
    var url: String
    var headers: [(String, String)]
    var body: [UInt8]
}
