import Foundation
import Shared

/// Turns events into the request body of one sink kind: built-in renderings per platform, or the sink's template.
/// Bodies stay within the platform's size limits (descriptions are trimmed, never the message dropped).
struct MessageRenderer: Sendable {
    let kind: SinkKind
    let template: SinkTemplate?
    /// How many of the newest titles a storm digest lists.
    var digestTitles = 10

    /// Feishu custom bot: request body ≤ 20 KB.
    static let feishuMaxBody = 20_000
    /// WeCom markdown `content` ≤ 4096 bytes.
    static let wecomMaxContent = 4096
    /// DingTalk documents no size; stay under Feishu's, a conservative chat limit.
    static let dingtalkMaxBody = 20_000

    init(kind: SinkKind, template: SinkTemplate? = nil) {
        self.kind = kind
        self.template = template
    }

    // MARK: - One event

    /// The body for one event. `raw` is the record's value (the webhook sink forwards it unchanged).
    func render(_ event: IssueEvent, raw: [UInt8]) -> [UInt8] {
        let view = EventView(event)
        if let template, template.rendersBody { return Array(template.render(view).utf8) }
        switch kind {
        case .feishu: return fitting(Self.feishuMaxBody, view) { feishuCard(for: $0) }
        case .feishuFlow: return feishuFlow(view)
        case .dingtalk:
            return fitting(Self.dingtalkMaxBody, view.inert(DingTalkMarkdown.escape)) { dingtalkMarkdown(for: $0) }
        case .wecom: return wecomMarkdown(view.inert(WeComMarkdown.escape))
        case .webhook: return raw
        }
    }

    /// Renders, and if the body is too big, trims the description (then the reply) to the longest text that fits.
    private func fitting(_ maxBytes: Int, _ view: EventView, _ make: (EventView) -> [UInt8]) -> [UInt8] {
        let body = make(view)
        guard body.count > maxBytes else { return body }
        var base = view
        base.replyContent = JSONBody.trim(view.replyContent, toBytes: 2000)
        // Binary search over the description's byte budget: rendering is cheap and this path is rare.
        var low = 0
        var high = view.description.utf8.count
        var best = {
            var empty = base; empty.description = JSONBody.trim(view.description, toBytes: 0); return make(empty)
        }()
        while low < high {
            let mid = (low + high + 1) / 2
            var candidate = base
            candidate.description = JSONBody.trim(view.description, toBytes: mid)
            let rendered = make(candidate)
            if rendered.count <= maxBytes {
                low = mid
                best = rendered
            } else {
                high = mid - 1
            }
        }
        return best
    }

    /// Custom-bot interactive card: coloured header, title, resource, description (plain text), created time,
    /// a button to the issue, and how to reply from the chat. Written key by key in sorted order (see `JSONWriter`).
    func feishuCard(for view: EventView) -> [UInt8] {
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

    private func plainDiv(_ text: String, into json: inout JSONWriter) {
        json.raw(#"{"tag":"div","text":{"content":"#)
        json.string(text)
        json.raw(#","tag":"plain_text"}},"#)
    }

    /// The reference workflow's flat object (issue_uuid, title, level, source, message, createAt), plus kind and url.
    func feishuFlow(_ view: EventView) -> [UInt8] {
        JSONBody.encode(stringFields: [
            ("issue_uuid", view.issueUUID), ("title", view.title), ("level", view.level), ("source", view.resource),
            ("message", view.replyContent.isEmpty ? view.description : view.replyContent),
            ("createAt", view.createdAt), ("kind", view.kind), ("url", view.url),
        ])
    }

    func dingtalkMarkdown(for view: EventView) -> [UInt8] {
        let text: String
        if let template {
            text = template.render(view)
        } else {
            var lines = ["### \(view.kindText): \(view.title)", ""]
            lines.append("- **Level:** \(view.levelName)")
            if !view.resource.isEmpty { lines.append("- **Resource:** \(view.resource)") }
            lines.append("- **Created:** \(view.createdAt) UTC")
            if !view.description.isEmpty { lines += ["", "> " + Self.quoted(view.description)] }
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

    /// WeCom markdown (legacy subset, `<font color>` for the level); `content` kept ≤ 4096 bytes.
    func wecomMarkdown(_ view: EventView) -> [UInt8] {
        let content: String
        if let template {
            content = JSONBody.trim(template.render(view), toBytes: Self.wecomMaxContent)
        } else {
            let colour = view.levelName == "critical" || view.levelName == "important" ? "warning" : "comment"
            var head = "### \(view.kindText): \(view.title)\n"
            head += ">Level: <font color=\"\(colour)\">\(view.levelName)</font>\n"
            if !view.resource.isEmpty { head += ">Resource: \(view.resource)\n" }
            head += ">Created: \(view.createdAt) UTC\n"
            if !view.replyContent.isEmpty { head += ">\(view.replyAuthor.isEmpty ? "Reply" : view.replyAuthor): " }
            let tail = "\n[Open in Guance](\(view.url))\nReply: \(view.replyHint)"
            let text = view.replyContent.isEmpty ? view.description : view.replyContent
            let budget = Self.wecomMaxContent - head.utf8.count - tail.utf8.count
            content = head + JSONBody.trim(text, toBytes: max(0, budget)) + tail
        }
        var json = JSONWriter(capacity: content.utf8.count + 64)
        json.raw(#"{"markdown":{"content":"#)
        json.string(content)
        json.raw(#"},"msgtype":"markdown"}"#)
        return json.bytes
    }

    static func quoted(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n> ")
    }
}
