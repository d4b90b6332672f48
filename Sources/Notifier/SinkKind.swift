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
}
