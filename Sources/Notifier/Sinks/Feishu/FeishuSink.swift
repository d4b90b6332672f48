import Events
import Foundation
import ServiceKit

/// Feishu custom group bot: an interactive card, optionally signed with `timestamp` + `sign` in the body
/// (docs/protocols/feishu-bot.md).
enum FeishuSink: WebhookPlatform {
    static let type = "feishu"
    static let documentedLimits = [RateWindow(limit: 5, per: .seconds(1)), RateWindow(limit: 100, per: .seconds(60))]
    /// The longest window of its limits: a full window after the answer, the window Feishu counted in has rolled over.
    static let rateLimitPause: Duration = .seconds(60)
    /// Request body ≤ 20 KB.
    static let maxBodyBytes: Int? = 20_000
    static let templateMode = SinkTemplate.Mode.text
    static let environment: SinkEnvironment? = SinkEnvironment(
        name: "feishu", url: .feishuWebhookURL, secret: .feishuWebhookSecret, rateLimit: .feishuWebhookRateLimit)
    static let routesFields: [String] = []

    static func render(_ event: IssueEvent, raw: [UInt8], renderer: MessageRenderer) -> [UInt8] {
        renderer.fitting(EventView(event)) { card(for: $0, template: renderer.textTemplate) }
    }

    static func inert(_ title: String) -> String { FeishuMarkup.markdown(title) }

    static func sign(_ request: inout SinkRequest, secret: String, now: Date) {
        let timestamp = String(Int64(now.timeIntervalSince1970))
        let sign = SinkSigner.feishu(timestamp: timestamp, secret: secret)
        // Top-level "timestamp" and "sign" next to msg_type: splice them after the opening brace.
        guard request.body.first == UInt8(ascii: "{") else { return }
        let fields = "\"sign\":\"\(sign)\",\"timestamp\":\"\(timestamp)\"" + (request.body.count > 2 ? "," : "")
        request.body.insert(contentsOf: Array(fields.utf8), at: 1)
    }

    /// `{"code":0,...}` or `{"StatusCode":0,...}`; 11232 is the bot's rate limit.
    static func classify(status: Int, body: [UInt8]) -> SendOutcome {
        let json = try? JSONReader.parse(body)
        var text: String { SendOutcome.quote(body) }
        let code = json?["code"]?.int ?? json?["StatusCode"]?.int
        let message = json?["msg"]?.string ?? json?["StatusMessage"]?.string ?? text
        guard let code else { return .byStatus(status, text) }
        switch code {
        case 0: return status < 300 ? .delivered : .byStatus(status, text)
        case 11232: return .rateLimited(reason: "feishu 11232 \(message)")
        case 19021, 19024, 19022, 19001, 9499:
            return .rejected(reason: "feishu \(code) \(message)")
        default:
            return status >= 500
                ? .retryable(reason: "feishu \(code) \(message)") : .rejected(reason: "feishu \(code) \(message)")
        }
    }

    /// Custom-bot interactive card: coloured header, title, resource, description (plain text), created time,
    /// a button to the issue, and how to reply from the chat.
    static func card(for view: EventView, template: SinkTemplate?) -> [UInt8] {
        let markdownView = view.inert(FeishuMarkup.markdown)
        let view = view.inert(FeishuMarkup.plainText)
        var elements: [[String: Any]] = []
        if let template {
            elements.append(["tag": "markdown", "content": template.render(markdownView)])
        } else {
            var facts = "Level: \(view.levelName)"
            if !view.resource.isEmpty { facts += "\nResource: \(view.resource)" }
            if !view.channel.isEmpty { facts += "\nChannel: \(view.channel)" }
            facts += "\nCreated: \(view.createdAt) UTC"
            elements.append(plainDiv(facts))
            if !view.description.isEmpty { elements.append(plainDiv(view.description)) }
            if !view.replyContent.isEmpty {
                let author = view.replyAuthor.isEmpty ? "Reply" : "Reply by \(view.replyAuthor)"
                elements.append(plainDiv("\(author): \(view.replyContent)"))
            }
        }
        elements.append(["tag": "hr"])
        elements.append(button("Open in Guance", url: view.url))
        elements.append(note("Reply: \(view.replyHint)"))
        return envelope(title: "\(view.kindText): \(view.title)", color: view.color, elements: elements)
    }

    static func renderDigest(_ digest: MessageRenderer.Digest, events: [IssueEvent], renderer: MessageRenderer)
        -> [UInt8]
    {
        var titles = digest.newest.map {
            "• [\(renderer.digestTitle($0))](\(EventView.linkTarget($0.url))) (\($0.levelName))"
        }
        if let more = digest.more { titles.append(more) }
        var elements: [[String: Any]] = [
            plainDiv("Levels: \(digest.levels)"), ["tag": "markdown", "content": titles.joined(separator: "\n")],
            ["tag": "hr"],
        ]
        if let listURL = digest.listURL { elements.append(button("All issues in Guance", url: listURL)) }
        elements.append(note("A storm: one message for many events, within the chat's rate limit."))
        return envelope(title: digest.title, color: IssueLevel.color(of: digest.worst), elements: elements)
    }

    private static func envelope(title: String, color: String, elements: [[String: Any]]) -> [UInt8] {
        JSONBody.encode([
            "msg_type": "interactive",
            "card": [
                "config": ["wide_screen_mode": true],
                "header": ["title": ["tag": "plain_text", "content": title], "template": color],
                "elements": elements,
            ],
        ])
    }

    private static func plainDiv(_ text: String) -> [String: Any] {
        ["tag": "div", "text": ["tag": "plain_text", "content": text]]
    }

    private static func button(_ text: String, url: String) -> [String: Any] {
        [
            "tag": "action",
            "actions": [["tag": "button", "text": ["tag": "plain_text", "content": text], "type": "primary", "url": url]],
        ]
    }

    private static func note(_ text: String) -> [String: Any] {
        ["tag": "note", "elements": [["tag": "plain_text", "content": text]]]
    }
}

extension SinkKind {
    /// Feishu custom group bot.
    static let feishu = SinkKind(FeishuSink.self)
}
