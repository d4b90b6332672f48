import DevStack
import Foundation
import Testing

@testable import Notifier

@Suite("Renderings: golden files, the platforms' documented structure and size limits")
struct MessageRendererTests {
    let event = makeEvent(7)

    @Test(arguments: [
        (SinkKind.feishu, "feishu-card.json"), (.feishuFlow, "feishu-flow.json"), (.dingtalk, "dingtalk-markdown.json"),
        (.wecom, "wecom-markdown.json"),
    ])
    func renderingMatchesGoldenFile(kind: SinkKind, file: String) throws {
        let body = MessageRenderer(kind: kind).render(event, raw: eventBytes(event))
        let (expected, actual) = try golden(file, body)
        #expect(actual == expected)
    }

    @Test(arguments: [
        (SinkKind.feishu, "feishu-digest.json"), (.dingtalk, "dingtalk-digest.json"), (.wecom, "wecom-digest.json"),
        (.feishuFlow, "feishu-flow-digest.json"),
    ])
    func digestMatchesGoldenFile(kind: SinkKind, file: String) throws {
        let events = (1...14).map { makeEvent($0, level: $0 % 3 == 0 ? "critical" : "warning") }
        let body = MessageRenderer(kind: kind).renderDigest(events)
        let (expected, actual) = try golden(file, body)
        #expect(actual == expected)
    }

    @Test func feishuCardHasTheDocumentedStructureAndEverythingTheIssueAsksFor() throws {
        let body = json(MessageRenderer(kind: .feishu).render(event, raw: []))
        #expect(ChatCapture.feishuBodyProblem(body) == nil)
        #expect(body["msg_type"] as? String == "interactive")
        let card = try #require(body["card"] as? [String: Any])
        let header = try #require(card["header"] as? [String: Any])
        #expect(header["template"] as? String == "red")  // critical
        let title = try #require(header["title"] as? [String: Any])
        #expect(title["tag"] as? String == "plain_text")
        #expect((title["content"] as? String)?.contains("Checkout latency #7") == true)
        let text = prettyJSON(MessageRenderer(kind: .feishu).render(event, raw: []))
        #expect(text.contains("Resource: /api/orders"))
        #expect(text.contains("p99 latency above 2s"))
        #expect(text.contains("Created: 2025-11-30 10:00:07 UTC"))
        #expect(text.contains("\"url\" : \"https://console.guance.example/workspace/wksp_1/issue/issue_7\""))
        #expect(text.contains("@bot #issue_7#your text"))
    }

    @Test(arguments: [
        ("critical", "red"), ("system_level_1", "orange"), ("2", "yellow"), ("info", "blue"), ("custom", "grey"),
    ])
    func headerColourFollowsTheLevel(level: String, colour: String) {
        let body = json(MessageRenderer(kind: .feishu).render(makeEvent(level: level), raw: []))
        let header = (body["card"] as? [String: Any])?["header"] as? [String: Any]
        #expect(header?["template"] as? String == colour)
    }

    @Test func hugeDescriptionsAreTrimmedToTheFeishuBodyLimitNotDropped() {
        let huge = String(repeating: "磁盘已满 \"disk full\" ", count: 3000)  // ~60 KB of UTF-8 with quotes
        let body = MessageRenderer(kind: .feishu).render(makeEvent(description: huge), raw: [])
        #expect(body.count <= FeishuSink.maxBodyBytes!)
        #expect(body.count > FeishuSink.maxBodyBytes! - 2000)
        #expect(ChatCapture.feishuBodyProblem(json(body)) == nil)
        #expect(String(decoding: body, as: UTF8.self).contains("…"))
    }

    @Test func wecomContentStaysWithin4096BytesWithMultibyteText() throws {
        let huge = String(repeating: "服务不可用", count: 2000)
        let body = json(MessageRenderer(kind: .wecom).render(makeEvent(description: huge), raw: []))
        let content = try #require((body["markdown"] as? [String: Any])?["content"] as? String)
        #expect(content.utf8.count <= 4096)
        #expect(content.contains("@bot #issue_1#your text"))
        #expect(ChatCapture.wecomBodyProblem(body) == nil)
    }

    @Test func dingtalkMarkdownHasTitleAndText() {
        let body = json(MessageRenderer(kind: .dingtalk).render(event, raw: []))
        #expect(ChatCapture.dingtalkBodyProblem(body) == nil)
        let markdown = body["markdown"] as? [String: Any]
        #expect(
            (markdown?["text"] as? String)?.contains(
                "[Open in Guance](https://console.guance.example/workspace/wksp_1/issue/issue_7)") == true)
    }

    @Test func flowWebhookKeepsTheReferenceWorkflowsFlatFields() {
        let body = json(MessageRenderer(kind: .feishuFlow).render(event, raw: []))
        #expect(body["issue_uuid"] as? String == "issue_7")
        #expect(body["title"] as? String == "Checkout latency #7")
        #expect(body["level"] as? String == "critical")
        #expect(body["source"] as? String == "/api/orders")
        #expect(body["message"] as? String == "p99 latency above 2s on /api/orders")
        #expect(body["createAt"] as? String == "2025-11-30 10:00:07")
        #expect(body.values.allSatisfy { !($0 is [String: Any]) }, "flat: no nested objects")
    }

    @Test func webhookForwardsTheRecordBytesUnchanged() {
        let raw = eventBytes(event)
        #expect(MessageRenderer(kind: .webhook).render(event, raw: raw) == raw)
    }

    @Test func digestCountsEveryEventAndListsTheNewestTitlesWithLinks() throws {
        let events = (1...30).map { makeEvent($0, level: $0 <= 5 ? "critical" : "info") }
        let text = String(decoding: MessageRenderer(kind: .dingtalk).renderDigest(events), as: UTF8.self)
        #expect(text.contains("30 issue events"))
        #expect(text.contains("critical 5, info 25"))
        #expect(text.contains("Checkout latency #30"))  // newest
        #expect(!text.contains("Checkout latency #19]"))  // only the 10 newest are listed
        #expect(text.contains("and 20 more"))
        #expect(text.contains("issue_30"))
    }

    @Test func mustacheTemplateReplacesTheTextAndBodyTemplatesMustBeJSON() throws {
        let template = try SinkTemplate(source: "**{{title}}** ({{levelName}}) {{{url}}}", kind: .dingtalk)
        let body = json(MessageRenderer(kind: .dingtalk, template: template).render(event, raw: []))
        #expect(
            (body["markdown"] as? [String: Any])?["text"] as? String
                == "**Checkout latency #7** (critical) https://console.guance.example/workspace/wksp_1/issue/issue_7")

        let flow = try SinkTemplate(source: #"{"t":"{{title}}","d":"{{description}}"}"#, kind: .feishuFlow)
        let quoted = makeEvent(description: "a \"quoted\"\nline")
        let flowBody = json(MessageRenderer(kind: .feishuFlow, template: flow).render(quoted, raw: []))
        #expect(flowBody["d"] as? String == "a \"quoted\"\nline")

        #expect(throws: SinkTemplate.TemplateError.self) { try SinkTemplate(source: "{{#title}}", kind: .feishu) }
        #expect(throws: SinkTemplate.TemplateError.self) {
            try SinkTemplate(source: "title: {{title}}", kind: .webhook)
        }
    }
}
