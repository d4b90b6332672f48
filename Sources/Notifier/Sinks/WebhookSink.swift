import Events
import Foundation
import ServiceKit

/// Any HTTP endpoint: the IssueEvent JSON as is, optionally signed with an HMAC header (docs/notifier.md).
enum WebhookSink: WebhookPlatform {
    static let type = "webhook"
    static let documentedLimits: [RateWindow] = []
    static let rateLimitPause: Duration = .seconds(60)
    static let maxBodyBytes: Int? = nil
    static let templateMode = SinkTemplate.Mode.body
    static let environment: SinkEnvironment? = SinkEnvironment(
        name: "webhook", url: .webhookURL, secret: .webhookSecret)
    static let routesFields: [String] = []

    /// The record's value, unchanged.
    static func render(_ event: IssueEvent, raw: [UInt8], renderer: MessageRenderer) -> [UInt8] { raw }

    /// `guance.issue-digest/v1`: every event of the digest, whole.
    static func renderDigest(_ digest: MessageRenderer.Digest, events: [IssueEvent], renderer: MessageRenderer)
        -> [UInt8]
    {
        let objects = events.compactMap { try? JSONSerialization.jsonObject(with: Data(EventCoding.encode($0))) }
        var body: [String: Any] = [
            "schema": "guance.issue-digest/v1", "count": digest.count, "levels": digest.levelCounts,
            "events": objects,
        ]
        if let listURL = digest.listURL { body["list_url"] = listURL }
        return JSONBody.encode(body)
    }

    /// JSON fields, not markup.
    static func inert(_ title: String) -> String { title }

    /// `X-Signature: sha256=<hex HMAC over "<timestamp>.<body>">` with `X-Signature-Timestamp`.
    static func sign(_ request: inout SinkRequest, secret: String, now: Date) {
        let timestamp = String(Int64(now.timeIntervalSince1970))
        request.headers.append((WebhookHeaders.timestamp, timestamp))
        request.headers.append(
            (WebhookHeaders.signature, SinkSigner.webhook(timestamp: timestamp, body: request.body, secret: secret)))
    }

    /// HTTP status only.
    static func classify(status: Int, body: [UInt8]) -> SendOutcome {
        .byStatus(status, SendOutcome.quote(body))
    }
}

extension SinkKind {
    /// Generic HTTP webhook.
    static let webhook = SinkKind(WebhookSink.self)
}
