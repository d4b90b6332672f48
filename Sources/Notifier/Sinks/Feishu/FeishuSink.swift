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
        name: "feishu", prefix: "FEISHU_", url: .feishuWebhookURL, secret: .feishuWebhookSecret,
        rateLimit: .feishuWebhookRateLimit)
    static let routesFields: [String] = []

    static func render(_ event: IssueEvent, raw: [UInt8], renderer: MessageRenderer) -> [UInt8] {
        renderer.fitting(EventView(event)) { card(for: $0, template: renderer.textTemplate) }
    }

    static func inert(_ title: String) -> String { FeishuMarkup.markdown(title) }

    /// Top-level "timestamp" and "sign" next to msg_type, spliced in after the opening brace. The signature depends
    /// only on the second and the secret: computed once per second (`SignatureCache`).
    static func sign(_ request: inout SinkRequest, secret: String, now: Date) {
        guard request.body.first == UInt8(ascii: "{") else { return }
        let second = Int64(now.timeIntervalSince1970)
        var fields = SignatureCache.shared.value(.feishu, secret: secret, second: second) { second in
            let timestamp = String(second)
            let sign = SinkSigner.feishu(timestamp: timestamp, secret: secret)
            return Array("\"sign\":\"\(sign)\",\"timestamp\":\"\(timestamp)\"".utf8)
        }
        if request.body.count > 2 { fields.append(UInt8(ascii: ",")) }
        var signed: [UInt8] = []
        signed.reserveCapacity(request.body.count + fields.count)
        signed.append(UInt8(ascii: "{"))
        signed.append(contentsOf: fields)
        signed.append(contentsOf: request.body[1...])
        request.body = signed
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
    /// a button to the issue, and how to reply from the chat. Written key by key, in sorted order (`JSONWriter`): the
    /// card is the default sink's every message.
    static func card(for view: EventView, template: SinkTemplate?) -> [UInt8] {
        let plain = view.inert(FeishuMarkup.plainText)
        var json = JSONWriter(capacity: 1024 + view.description.utf8.count + view.replyContent.utf8.count)
        json.raw(#"{"card":{"config":{"wide_screen_mode":true},"elements":["#)
        if let template {
            json.raw(#"{"content":"#)
            json.string(template.render(view.inert(FeishuMarkup.markdown)))
            json.raw(#","tag":"markdown"},"#)
        } else {
            var facts = "Level: \(plain.levelName)"
            if !plain.resource.isEmpty { facts += "\nResource: \(plain.resource)" }
            if !plain.channel.isEmpty { facts += "\nChannel: \(plain.channel)" }
            facts += "\nCreated: \(plain.createdAt) UTC"
            plainDiv(facts, into: &json)
            if !plain.description.isEmpty { plainDiv(plain.description, into: &json) }
            if !plain.replyContent.isEmpty {
                let author = plain.replyAuthor.isEmpty ? "Reply" : "Reply by \(plain.replyAuthor)"
                plainDiv("\(author): \(plain.replyContent)", into: &json)
            }
        }
        json.raw(#"{"tag":"hr"},{"actions":[{"tag":"button","text":{"content":"Open in Guance","tag":"plain_text"},"#)
        json.raw(#""type":"primary","url":"#)
        json.string(plain.url)
        json.raw(#"}],"tag":"action"},{"elements":[{"content":"#)
        json.string("Reply", ": ", plain.replyHint)
        json.raw(#","tag":"plain_text"}],"tag":"note"}],"header":{"template":"#)
        json.string(plain.color)
        json.raw(#","title":{"content":"#)
        json.string(plain.kindText, ": ", plain.title)
        json.raw(#","tag":"plain_text"}}},"msg_type":"interactive"}"#)
        return json.bytes
    }

    private static func plainDiv(_ text: String, into json: inout JSONWriter) {
        json.raw(#"{"tag":"div","text":{"content":"#)
        json.string(text)
        json.raw(#","tag":"plain_text"}},"#)
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
            "actions": [
                ["tag": "button", "text": ["tag": "plain_text", "content": text], "type": "primary", "url": url]
            ],
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
