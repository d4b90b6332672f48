import Events
import Foundation
import ServiceKit

/// Feishu flow trigger-webhook: the reference workflow's flat JSON object, unsigned.
enum FeishuFlowSink: WebhookPlatform {
    static let type = "feishu-flow"
    static let documentedLimits: [RateWindow] = []
    static let rateLimitPause: Duration = .seconds(60)
    static let maxBodyBytes: Int? = nil
    static let templateMode = SinkTemplate.Mode.body
    static let environment: SinkEnvironment? = SinkEnvironment(name: "feishu-flow", url: .feishuFlowWebhookURL)
    static let routesFields: [String] = []

    /// The reference workflow's flat object (issue_uuid, title, level, source, message, createAt), plus kind and url.
    static func render(_ event: IssueEvent, raw: [UInt8], renderer: MessageRenderer) -> [UInt8] {
        let view = EventView(event)
        return JSONBody.encode(stringFields: [
            ("issue_uuid", view.issueUUID), ("title", view.title), ("level", view.level), ("source", view.resource),
            ("message", view.replyContent.isEmpty ? view.description : view.replyContent),
            ("createAt", view.createdAt), ("kind", view.kind), ("url", view.url),
        ])
    }

    static func renderDigest(_ digest: MessageRenderer.Digest, events: [IssueEvent], renderer: MessageRenderer)
        -> [UInt8]
    {
        let lines = digest.newest.map { "\($0.title) (\($0.levelName)) \($0.url)" }
        let message = (["Levels: \(digest.levels)"] + lines + [digest.more, digest.listURL.map { "All: \($0)" }])
            .compactMap { $0 }.joined(separator: "\n")
        return JSONBody.encode([
            "issue_uuid": "", "title": digest.title, "level": digest.worst, "source": "digest",
            "message": message, "createAt": digest.newest.first?.createdAt ?? "", "kind": "digest",
            "count": digest.count, "url": digest.listURL ?? "",
        ])
    }

    /// Flat JSON fields, not markup.
    static func inert(_ title: String) -> String { title }

    /// The flow webhook takes no signature.
    static func sign(_ request: inout SinkRequest, secret: String, now: Date) {}

    static func classify(status: Int, body: [UInt8]) -> SendOutcome {
        let json = try? JSONReader.parse(body)
        var text: String { SendOutcome.quote(body) }
        guard let code = json?["code"]?.int else { return .byStatus(status, text) }
        let message = json?["msg"]?.string ?? text
        if code == 0 && status < 300 { return .delivered }
        return status >= 500
            ? .retryable(reason: "feishu flow \(code) \(message)")
            : .rejected(reason: "feishu flow \(code) \(message)")
    }
}

extension SinkKind {
    /// Feishu flow trigger-webhook.
    static let feishuFlow = SinkKind(FeishuFlowSink.self)
}
