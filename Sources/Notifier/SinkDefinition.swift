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
            if let secret, body.first == UInt8(ascii: "{") {
                // Top-level "timestamp" and "sign" next to msg_type: spliced in after the opening brace.
                let second = Int64(now.timeIntervalSince1970)
                var fields = SignatureCache.shared.value(.feishu, secret: secret, second: second) { second in
                    let timestamp = String(second)
                    let sign = SinkSigner.feishu(timestamp: timestamp, secret: secret)
                    return Array("\"sign\":\"\(sign)\",\"timestamp\":\"\(timestamp)\"".utf8)
                }
                if body.count > 2 { fields.append(UInt8(ascii: ",")) }
                var signed: [UInt8] = []
                signed.reserveCapacity(body.count + fields.count)
                signed.append(UInt8(ascii: "{"))
                signed.append(contentsOf: fields)
                signed.append(contentsOf: body[1...])
                body = signed
            }
        case .dingtalk:
            if let secret {
                // Milliseconds as DingTalk wants them, at a whole second: one signature per second.
                let second = Int64(now.timeIntervalSince1970)
                let query = SignatureCache.shared.value(.dingtalk, secret: secret, second: second) { second in
                    Array(SinkSigner.dingtalkQuery(timestamp: String(second * 1000), secret: secret).utf8)
                }
                url += (url.contains("?") ? "&" : "?") + String(decoding: query, as: UTF8.self)
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
