import Events
import Foundation

/// Slack incoming webhook: Block Kit `blocks` with a `text` fallback (notifications, old clients); answers `ok` or an
/// error string with an HTTP status; about 1 message per second per webhook (docs/protocols/slack.md).
/// Configured in the routes file (`type: slack`).
enum SlackSink: WebhookPlatform {
    static let type = "slack"
    /// One message per second; short bursts are tolerated, so a small allowance per minute on top is not taken.
    static let documentedLimits = [RateWindow(limit: 1, per: .seconds(1))]
    /// A 429 carries `Retry-After`, which is honoured; without a usable one, pause for a conservative half minute.
    static let rateLimitPause: Duration = .seconds(30)
    /// Slack documents no body limit for webhooks; the block texts are bounded instead (`sectionBytes`).
    static let maxBodyBytes: Int? = nil
    /// A section's text: at most 3000 characters (bytes bound characters from above).
    static let sectionBytes = 3000
    /// A header block's text: at most 150 characters.
    static let headerBytes = 150
    static let templateMode = SinkTemplate.Mode.text
    static let environment: SinkEnvironment? = nil
    static let routesFields: [String] = []

    /// Header, facts, description or template text, reply, a button to the issue, the reply hint; `text` fallback.
    /// Written key by key in sorted order (`JSONWriter`), as the dictionary encoder of the digests would.
    static func render(_ event: IssueEvent, raw: [UInt8], renderer: MessageRenderer) -> [UInt8] {
        let source = EventView(event)
        let view = source.inert(SlackMarkup.plainText)
        var json = JSONWriter(capacity: 1024 + view.description.utf8.count + view.replyContent.utf8.count)
        json.raw(#"{"blocks":[{"text":{"text":"#)
        json.string(trimmedCharacters("\(view.kindText): \(view.title)", headerBytes))
        json.raw(#","type":"plain_text"},"type":"header"},"#)
        if let template = renderer.textTemplate {
            let text = template.render(source.inert(SlackMarkup.mrkdwn))
            section(JSONBody.trim(text, toBytes: sectionBytes), type: #""mrkdwn""#, into: &json)
        } else {
            var facts = "Level: \(view.levelName)"
            if !view.resource.isEmpty { facts += "\nResource: \(view.resource)" }
            if !view.channel.isEmpty { facts += "\nChannel: \(view.channel)" }
            facts += "\nCreated: \(view.createdAt) UTC"
            section(facts, into: &json)
            if !view.description.isEmpty {
                section(JSONBody.trim(view.description, toBytes: sectionBytes), into: &json)
            }
            if !view.replyContent.isEmpty {
                let author = view.replyAuthor.isEmpty ? "Reply" : "Reply by \(view.replyAuthor)"
                section(JSONBody.trim("\(author): \(view.replyContent)", toBytes: sectionBytes), into: &json)
            }
        }
        if !view.url.isEmpty {
            json.raw(#"{"elements":[{"text":{"text":"Open in Guance","type":"plain_text"},"type":"button","url":"#)
            json.string(view.url)
            json.raw(#"}],"type":"actions"},"#)
        }
        json.raw(#"{"elements":[{"text":"#)
        json.string("Reply", ": ", view.replyHint)
        json.raw(#","type":"plain_text"}],"type":"context"}],"text":"#)
        json.string(
            "\(source.kindText): \(SlackMarkup.mrkdwn(source.title)) (\(SlackMarkup.mrkdwn(source.levelName)))")
        json.raw("}")
        return json.bytes
    }

    /// A section block and the comma after it; `type` is the quoted text type.
    private static func section(_ text: String, type: StaticString = #""plain_text""#, into json: inout JSONWriter) {
        json.raw(#"{"text":{"text":"#)
        json.string(text.isEmpty ? " " : text)
        json.raw(#","type":"#)
        json.raw(type)
        json.raw(#"},"type":"section"},"#)
    }

    static func renderDigest(_ digest: MessageRenderer.Digest, events: [IssueEvent], renderer: MessageRenderer)
        -> [UInt8]
    {
        var lines = digest.newest.map { view -> String in
            let target = EventView.linkTarget(view.url)
            let title = renderer.digestTitle(view)
            return target.isEmpty ? "• \(title) (\(view.levelName))" : "• <\(target)|\(title)> (\(view.levelName))"
        }
        if let more = digest.more { lines.append(more) }
        var blocks: [[String: Any]] = [
            header(digest.title), section("Levels: \(digest.levels)"),
            section(JSONBody.trim(lines.joined(separator: "\n"), toBytes: sectionBytes), type: "mrkdwn"),
        ]
        if let listURL = digest.listURL { blocks.append(button("All issues in Guance", url: listURL)) }
        blocks.append([
            "type": "context",
            "elements": [
                ["type": "plain_text", "text": "A storm: one message for many events, within Slack's rate limit."]
            ],
        ])
        return JSONBody.encode(["text": "\(digest.title): \(digest.levels)", "blocks": blocks])
    }

    /// Digest titles sit in `mrkdwn` link labels.
    static func inert(_ title: String) -> String { SlackMarkup.mrkdwn(title) }

    /// The webhook URL is the credential; Slack signs nothing on incoming webhooks.
    static func sign(_ request: inout SinkRequest, secret: String, now: Date) {}

    /// `200 ok`; 429 rate limited; 5xx (`rollup_error`) retryable; every other answer (`invalid_payload`,
    /// `no_service`, `channel_is_archived`, `action_prohibited`, ...) rejected with Slack's error string.
    static func classify(_ answer: SinkAnswer) -> SendOutcome {
        classify(status: answer.status, body: answer.body).honouringRetryAfter(answer.headers)
    }

    static func classify(status: Int, body: [UInt8]) -> SendOutcome {
        let text = SendOutcome.quote(body).trimmingCharacters(in: .whitespacesAndNewlines)
        if (200..<300).contains(status) {
            return text == "ok" || text.isEmpty ? .delivered : .rejected(reason: "slack HTTP \(status) \(text)")
        }
        switch status {
        case 429: return .rateLimited(reason: "slack HTTP 429 \(text)")
        case 408, 500...599: return .retryable(reason: "slack HTTP \(status) \(text)")
        default: return .rejected(reason: "slack HTTP \(status) \(text)")
        }
    }

    private static func header(_ text: String) -> [String: Any] {
        ["type": "header", "text": ["type": "plain_text", "text": trimmedCharacters(text, headerBytes)]]
    }

    private static func section(_ text: String, type: String = "plain_text") -> [String: Any] {
        ["type": "section", "text": ["type": type, "text": text.isEmpty ? " " : text]]
    }

    private static func button(_ text: String, url: String) -> [String: Any] {
        [
            "type": "actions",
            "elements": [["type": "button", "text": ["type": "plain_text", "text": text], "url": url]],
        ]
    }

    /// At most `count` characters (the header limit counts characters), ending with `…` when cut.
    private static func trimmedCharacters(_ text: String, _ count: Int) -> String {
        text.count <= count ? text : String(text.prefix(count - 1)) + "…"
    }
}

extension SinkKind {
    /// Slack incoming webhook.
    static let slack = SinkKind(SlackSink.self)
}
