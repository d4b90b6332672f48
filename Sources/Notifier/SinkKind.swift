/// The platforms the notifier can deliver to. The raw value is the `type` used in the routes file.
enum SinkKind: String, Sendable, CaseIterable, Codable {
    /// Feishu custom group bot: interactive card, optional `timestamp` + `sign`.
    case feishu
    /// Feishu flow trigger-webhook: the reference workflow's flat JSON.
    case feishuFlow = "feishu-flow"
    /// DingTalk custom robot: markdown, optional signed URL.
    case dingtalk
    /// WeCom group robot: markdown with byte limits.
    case wecom
    /// Any HTTP endpoint: the IssueEvent JSON as is, optional HMAC header.
    case webhook

    /// The platform's documented rate limits (the client-side default).
    var documentedLimits: [RateWindow] {
        switch self {
        case .feishu: [RateWindow(limit: 5, per: .seconds(1)), RateWindow(limit: 100, per: .seconds(60))]
        case .dingtalk, .wecom: [RateWindow(limit: 20, per: .seconds(60))]
        case .feishuFlow, .webhook: []
        }
    }

    /// How long a rate-limit answer stops all sends to the sink: the platform's documented penalty (DingTalk
    /// throttles a robot for 10 minutes after its 20/min), otherwise the longest window of its limits (a full window
    /// after the answer, the window the platform counted in has rolled over).
    var rateLimitPause: Duration {
        switch self {
        case .dingtalk: .seconds(600)
        case .feishu, .wecom: documentedLimits.map(\.window).max() ?? .seconds(60)
        case .feishuFlow, .webhook: .seconds(60)
        }
    }
}
