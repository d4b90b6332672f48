import Events
import Foundation
import ServiceKit

/// DingTalk custom robot: markdown, optionally signed in the URL query (docs/protocols/dingtalk-robot.md).
enum DingTalkSink: WebhookPlatform {
    static let type = "dingtalk"
    static let documentedLimits = [RateWindow(limit: 20, per: .seconds(60))]
    /// Exceeding 20/min throttles the robot for 10 minutes.
    static let rateLimitPause: Duration = .seconds(600)
    /// DingTalk documents no size; stay under Feishu's, a conservative chat limit.
    static let maxBodyBytes: Int? = 20_000
    static let templateMode = SinkTemplate.Mode.text
    static let environment: SinkEnvironment? = SinkEnvironment(
        name: "dingtalk", prefix: "DINGTALK_", url: .dingtalkWebhookURL, secret: .dingtalkSecret,
        rateLimit: .dingtalkRateLimit)
    static let routesFields: [String] = []

    static func render(_ event: IssueEvent, raw: [UInt8], renderer: MessageRenderer) -> [UInt8] {
        renderer.fitting(EventView(event).inert(DingTalkMarkdown.escape)) {
            markdown(for: $0, template: renderer.textTemplate)
        }
    }

    static func markdown(for view: EventView, template: SinkTemplate?) -> [UInt8] {
        let text: String
        if let template {
            text = template.render(view)
        } else {
            var lines = ["### \(view.kindText): \(view.title)", ""]
            lines.append("- **Level:** \(view.levelName)")
            if !view.resource.isEmpty { lines.append("- **Resource:** \(view.resource)") }
            lines.append("- **Created:** \(view.createdAt) UTC")
            if !view.description.isEmpty { lines += ["", "> " + MessageRenderer.quoted(view.description)] }
            if !view.replyContent.isEmpty {
                lines += ["", "**\(view.replyAuthor.isEmpty ? "Reply" : view.replyAuthor):** \(view.replyContent)"]
            }
            lines += ["", "[Open in Guance](\(view.url))", "", "Reply: \(view.replyHint)"]
            text = lines.joined(separator: "\n")
        }
        var json = JSONWriter(capacity: text.utf8.count + view.title.utf8.count + 96)
        json.raw(#"{"markdown":{"text":"#)
        json.string(text)
        json.raw(#","title":"#)
        json.string(view.kindText, ": ", view.title)
        json.raw(#"},"msgtype":"markdown"}"#)
        return json.bytes
    }

    static func renderDigest(_ digest: MessageRenderer.Digest, events: [IssueEvent], renderer: MessageRenderer)
        -> [UInt8]
    {
        let text = renderer.markdownLines(digest, heading: "### \(digest.title)", bullet: "- ").joined(separator: "\n")
        return JSONBody.encode(["msgtype": "markdown", "markdown": ["title": digest.title, "text": text]])
    }

    static func inert(_ title: String) -> String { DingTalkMarkdown.escape(title) }

    /// `&timestamp=<ms>&sign=<url-encoded sign>` appended to the webhook URL. Milliseconds as DingTalk wants them,
    /// at a whole second, so the signature is computed once per second (`SignatureCache`).
    static func sign(_ request: inout SinkRequest, secret: String, now: Date) {
        let second = Int64(now.timeIntervalSince1970)
        let query = SignatureCache.shared.value(.dingtalk, secret: secret, second: second) { second in
            Array(SinkSigner.dingtalkQuery(timestamp: String(second * 1000), secret: secret).utf8)
        }
        request.url += (request.url.contains("?") ? "&" : "?") + String(decoding: query, as: UTF8.self)
    }

    static func classify(status: Int, body: [UInt8]) -> SendOutcome {
        let json = try? JSONReader.parse(body)
        var text: String { SendOutcome.quote(body) }
        guard let code = json?["errcode"]?.int else { return .byStatus(status, text) }
        let message = json?["errmsg"]?.string ?? text
        switch code {
        case 0: return status < 300 ? .delivered : .byStatus(status, text)
        case 130101: return .rateLimited(reason: "dingtalk 130101 \(message)")
        case -1: return .retryable(reason: "dingtalk -1 \(message)")
        default: return .rejected(reason: "dingtalk \(code) \(message)")
        }
    }
}

extension SinkKind {
    /// DingTalk custom robot.
    static let dingtalk = SinkKind(DingTalkSink.self)
}
