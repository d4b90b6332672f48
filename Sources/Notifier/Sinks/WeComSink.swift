import Events
import Foundation
import ServiceKit

/// WeCom group robot: markdown (legacy subset) with a 4096-byte `content`, unsigned (docs/protocols/wecom-robot.md).
enum WeComSink: WebhookPlatform {
    static let type = "wecom"
    static let documentedLimits = [RateWindow(limit: 20, per: .seconds(60))]
    static let rateLimitPause: Duration = .seconds(60)
    /// The limit is on markdown `content` (`maxContentBytes`), not on the body.
    static let maxBodyBytes: Int? = nil
    /// Markdown `content` ≤ 4096 bytes.
    static let maxContentBytes = 4096
    static let templateMode = SinkTemplate.Mode.text
    static let environment: SinkEnvironment? = SinkEnvironment(
        name: "wecom", url: .wecomWebhookURL, rateLimit: .wecomRateLimit)
    static let routesFields: [String] = []

    /// `<font color>` for the level; the description (or reply) trimmed so `content` stays ≤ 4096 bytes.
    static func render(_ event: IssueEvent, raw: [UInt8], renderer: MessageRenderer) -> [UInt8] {
        let view = EventView(event).inert(WeComMarkdown.escape)
        let content: String
        if let template = renderer.textTemplate {
            content = JSONBody.trim(template.render(view), toBytes: maxContentBytes)
        } else {
            let colour = view.levelName == "critical" || view.levelName == "important" ? "warning" : "comment"
            var head = "### \(view.kindText): \(view.title)\n"
            head += ">Level: <font color=\"\(colour)\">\(view.levelName)</font>\n"
            if !view.resource.isEmpty { head += ">Resource: \(view.resource)\n" }
            head += ">Created: \(view.createdAt) UTC\n"
            if !view.replyContent.isEmpty { head += ">\(view.replyAuthor.isEmpty ? "Reply" : view.replyAuthor): " }
            let tail = "\n[Open in Guance](\(view.url))\nReply: \(view.replyHint)"
            let text = view.replyContent.isEmpty ? view.description : view.replyContent
            let budget = maxContentBytes - head.utf8.count - tail.utf8.count
            content = head + JSONBody.trim(text, toBytes: max(0, budget)) + tail
        }
        return JSONBody.encode(["msgtype": "markdown", "markdown": ["content": content]])
    }

    static func renderDigest(_ digest: MessageRenderer.Digest, events: [IssueEvent], renderer: MessageRenderer)
        -> [UInt8]
    {
        let text = renderer.markdownLines(digest, heading: "### \(digest.title)", bullet: "").joined(separator: "\n")
        return JSONBody.encode([
            "msgtype": "markdown", "markdown": ["content": JSONBody.trim(text, toBytes: maxContentBytes)],
        ])
    }

    static func inert(_ title: String) -> String { WeComMarkdown.escape(title) }

    /// The group robot takes no signature (the key in its URL is the credential).
    static func sign(_ request: inout SinkRequest, secret: String, now: Date) {}

    static func classify(status: Int, body: [UInt8]) -> SendOutcome {
        let json = try? JSONReader.parse(body)
        var text: String { SendOutcome.quote(body) }
        guard let code = json?["errcode"]?.int else { return .byStatus(status, text) }
        let message = json?["errmsg"]?.string ?? text
        switch code {
        case 0: return status < 300 ? .delivered : .byStatus(status, text)
        case 45009: return .rateLimited(reason: "wecom 45009 \(message)")
        case -1, 45033: return .retryable(reason: "wecom \(code) \(message)")
        default: return .rejected(reason: "wecom \(code) \(message)")
        }
    }
}

extension SinkKind {
    /// WeCom group robot.
    static let wecom = SinkKind(WeComSink.self)
}
