import Events
import Foundation

/// Microsoft Teams through a Workflows "post to a channel when a webhook request is received" URL: a `message` with
/// one Adaptive Card attachment; the flow answers 202 once the run started (docs/protocols/teams.md). Configured in
/// the routes file (`type: teams`).
enum TeamsSink: WebhookPlatform {
    static let type = "teams"
    /// Teams' connector limits (inferred for Workflows, which document none of their own): 4 per second, 60 per 30 s.
    static let documentedLimits = [RateWindow(limit: 4, per: .seconds(1)), RateWindow(limit: 60, per: .seconds(30))]
    static let rateLimitPause: Duration = .seconds(30)
    /// A Teams message carries at most about 28 KB.
    static let maxBodyBytes: Int? = 28_000
    static let templateMode = SinkTemplate.Mode.text
    static let environment: SinkEnvironment? = nil
    static let routesFields: [String] = []

    static func render(_ event: IssueEvent, raw: [UInt8], renderer: MessageRenderer) -> [UInt8] {
        renderer.fitting(EventView(event)) { card(for: $0, template: renderer.textTemplate) }
    }

    /// Title, facts, description and reply as plain `TextRun`s (never markdown), a button to the issue, the reply hint.
    /// Written key by key in sorted order (`JSONWriter`), as the dictionary encoder of the digests would.
    static func card(for source: EventView, template: SinkTemplate?) -> [UInt8] {
        let view = source.inert(TeamsMarkup.plainText)
        var json = JSONWriter(capacity: 1280 + view.description.utf8.count + view.replyContent.utf8.count)
        json.raw(#"{"attachments":[{"content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","#)
        if !view.url.isEmpty {
            json.raw(#""actions":[{"title":"Open in Guance","type":"Action.OpenUrl","url":"#)
            json.string(view.url)
            json.raw(#"}],"#)
        }
        json.raw(#""body":[{"inlines":[{"color":"#)
        json.string(color(view))
        json.raw(#","size":"Large","text":"#)
        json.string(view.kindText, ": ", view.title)
        json.raw(#","type":"TextRun","weight":"Bolder"}],"type":"RichTextBlock"},"#)
        if let template {
            json.raw(#"{"text":"#)
            json.string(template.render(source.inert(TeamsMarkup.markdown)))
            json.raw(#","type":"TextBlock","wrap":true},"#)
        } else {
            var facts = "Level: \(view.levelName)"
            if !view.resource.isEmpty { facts += "\nResource: \(view.resource)" }
            if !view.channel.isEmpty { facts += "\nChannel: \(view.channel)" }
            facts += "\nCreated: \(view.createdAt) UTC"
            plainRun(facts, into: &json)
            if !view.description.isEmpty { plainRun(view.description, into: &json) }
            if !view.replyContent.isEmpty {
                let author = view.replyAuthor.isEmpty ? "Reply" : "Reply by \(view.replyAuthor)"
                plainRun("\(author): \(view.replyContent)", into: &json)
            }
        }
        json.raw(#"{"inlines":[{"isSubtle":true,"size":"Small","text":"#)
        json.string("Reply", ": ", view.replyHint)
        json.raw(#","type":"TextRun"}],"type":"RichTextBlock"}],"msteams":{"width":"Full"},"type":"AdaptiveCard","#)
        json.raw(#""version":"1.4"},"contentType":"application/vnd.microsoft.card.adaptive"}],"type":"message"}"#)
        return json.bytes
    }

    /// A block of one plain `TextRun` and the comma after it.
    private static func plainRun(_ text: String, into json: inout JSONWriter) {
        json.raw(#"{"inlines":[{"text":"#)
        json.string(text)
        json.raw(#","type":"TextRun"}],"type":"RichTextBlock"},"#)
    }

    /// Levels, then one linked `TextRun` per listed title (a run's `selectAction`, not markdown), the link to all.
    static func renderDigest(_ digest: MessageRenderer.Digest, events: [IssueEvent], renderer: MessageRenderer)
        -> [UInt8]
    {
        var lines: [[String: Any]] = digest.newest.map { view in
            var title = run("• \(renderer.digestTitle(view)) (\(view.levelName))\n")
            let target = EventView.linkTarget(view.url)
            if !target.isEmpty { title["selectAction"] = ["type": "Action.OpenUrl", "url": target] }
            return title
        }
        if let more = digest.more { lines.append(run(more)) }
        let body: [[String: Any]] = [
            runs([run(digest.title, ["weight": "Bolder", "size": "Large", "color": level(digest.worst)])]),
            runs([run("Levels: \(digest.levels)")]), runs(lines),
            runs([run("A storm: one message for many events, within the chat's rate limit.", ["isSubtle": true])]),
        ]
        return message(body: body, actions: digest.listURL.map { [openURL("All issues in Guance", $0)] } ?? [])
    }

    /// Digest titles sit in `TextRun`s.
    static func inert(_ title: String) -> String { TeamsMarkup.plainText(title) }

    /// The URL's `sig` parameter is the credential; Workflows verify nothing else on this trigger.
    static func sign(_ request: inout SinkRequest, secret: String, now: Date) {}

    /// 202 (or any 2xx) delivered: the flow run started. 429 throttled; 408 and 5xx retryable; other answers
    /// (`InvalidRequestContent`, `DirectApiAuthorizationRequired`, `WorkflowNotFound`, ...) rejected with their code.
    static func classify(_ answer: SinkAnswer) -> SendOutcome {
        classify(status: answer.status, body: answer.body).honouringRetryAfter(answer.headers)
    }

    static func classify(status: Int, body: [UInt8]) -> SendOutcome {
        if (200..<300).contains(status) { return .delivered }
        let json = try? JSONReader.parse(body)
        let code = json?["error"]?["code"]?.string
        let reason =
            "teams HTTP \(status) "
            + (code.map { "\($0) \(json?["error"]?["message"]?.string ?? "")" }
                ?? SendOutcome.quote(body))
        switch status {
        case 429: return .rateLimited(reason: reason)
        case 408, 500...599: return .retryable(reason: reason)
        default: return .rejected(reason: reason)
        }
    }

    private static func message(body: [[String: Any]], actions: [[String: Any]]) -> [UInt8] {
        var card: [String: Any] = [
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
            "body": body, "msteams": ["width": "Full"],
        ]
        if !actions.isEmpty { card["actions"] = actions }
        return JSONBody.encode([
            "type": "message",
            "attachments": [["contentType": "application/vnd.microsoft.card.adaptive", "content": card]],
        ])
    }

    private static func runs(_ inlines: [[String: Any]]) -> [String: Any] {
        ["type": "RichTextBlock", "inlines": inlines]
    }

    private static func run(_ text: String, _ style: [String: Any] = [:]) -> [String: Any] {
        style.merging(["type": "TextRun", "text": text]) { _, new in new }
    }

    private static func openURL(_ title: String, _ url: String) -> [String: Any] {
        ["type": "Action.OpenUrl", "title": title, "url": url]
    }

    private static func color(_ view: EventView) -> String { level(view.levelName) }

    /// Adaptive Card text colour of a level.
    private static func level(_ name: String) -> String {
        switch name {
        case "critical": "Attention"
        case "important", "warning": "Warning"
        default: "Accent"
        }
    }
}

extension SinkKind {
    /// Microsoft Teams Workflows webhook.
    static let teams = SinkKind(TeamsSink.self)
}
