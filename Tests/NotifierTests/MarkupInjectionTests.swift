import Events
import Foundation
import Testing

@testable import Notifier

/// Text from Guance never becomes chat markup: an issue named `<at id=all></at> [x](https://evil.example)` shows as
/// that text on every sink, with no mention and no foreign link, while our own markup (the console link, colours)
/// keeps working.
@Suite("Guance text is inert in every chat markup")
struct MarkupInjectionTests {
    static let hostileTitle = "<at id=all></at> [x](https://evil.example)"

    static let event: IssueEvent = {
        var event = makeEvent(3, kind: .reply, resource: "<at user_id=\"all\">所有人</at>", description: hostileTitle)
        event.issue.name = hostileTitle
        event.reply?.content = "![img](https://evil.example/pixel.png) <@all> <font color=\"warning\">x</font>"
        event.reply?.creator?.name = "[mallory](https://evil.example)"
        return event
    }()

    static let templates: [SinkKind: String] = [
        .feishu: "**{{title}}** {{description}} [open]({{url}}) {{replyContent}}",
        .dingtalk: "### {{title}}\n{{description}}\n[open]({{url}})\n{{replyAuthor}}: {{replyContent}}",
        .wecom: "### {{title}}\n>{{resource}}\n[open]({{url}})\n{{replyContent}}",
        .slack: "*{{title}}*\n{{description}}\n<{{url}}|open> ({{url}})\n{{replyAuthor}}: {{replyContent}}",
        .teams: "**{{title}}** {{description}} [open]({{url}}) {{replyContent}}",
    ]

    @Test(arguments: [
        (SinkKind.feishu, "inert-feishu-card.json"), (.dingtalk, "inert-dingtalk-markdown.json"),
        (.wecom, "inert-wecom-markdown.json"), (.feishuFlow, "inert-feishu-flow.json"),
        (.slack, "inert-slack-message.json"), (.teams, "inert-teams-message.json"),
    ])
    func builtInRenderingMatchesGoldenFile(kind: SinkKind, file: String) throws {
        let body = MessageRenderer(kind: kind).render(Self.event, raw: eventBytes(Self.event))
        let (expected, actual) = try golden(file, body)
        #expect(actual == expected)
        if kind != .feishuFlow { try Self.expectInert(body, kind: kind) }
    }

    @Test(arguments: [
        (SinkKind.feishu, "inert-feishu-template.json"), (.dingtalk, "inert-dingtalk-template.json"),
        (.wecom, "inert-wecom-template.json"), (.slack, "inert-slack-template.json"),
        (.teams, "inert-teams-template.json"),
    ])
    func templatedRenderingMatchesGoldenFile(kind: SinkKind, file: String) throws {
        let template = try SinkTemplate(source: Self.templates[kind]!, kind: kind)
        let body = MessageRenderer(kind: kind, template: template).render(Self.event, raw: [])
        let (expected, actual) = try golden(file, body)
        #expect(actual == expected)
        try Self.expectInert(body, kind: kind)
        // Our own markup in the template still works: the console link is a link.
        #expect(
            Self.texts(body).contains { $0.contains("(https://console.guance.example/workspace/wksp_1/issue/issue_3)") }
        )
    }

    /// Digests (storms) put the same Guance titles into markup: inert there too.
    @Test(arguments: [SinkKind.feishu, .dingtalk, .wecom, .slack, .teams])
    func digestsOfAHostileIssueAreInertText(kind: SinkKind) throws {
        var hostile = makeEvent(3)
        hostile.issue.name = Self.hostileTitle
        try Self.expectInert(MessageRenderer(kind: kind).renderDigest([hostile, makeEvent(4)]), kind: kind)
    }

    /// No mention tag, no link or image to the foreign host, no bare address a client could auto-link, in any
    /// string of the body; the words themselves are still there.
    static func expectInert(_ body: [UInt8], kind: SinkKind) throws {
        let texts = texts(body)
        #expect(!texts.isEmpty)
        for text in texts {
            #expect(!text.contains("<at"), "\(kind): \(text)")
            #expect(!text.contains("<@"), "\(kind): \(text)")
            #expect(!text.contains("<font color=\"warning\">x"), "\(kind): \(text)")
            #expect(!text.contains("](https://evil"), "\(kind): \(text)")
            #expect(!text.contains("https://evil"), "\(kind): \(text)")
        }
        let all = texts.joined(separator: "\n").replacingOccurrences(of: "\u{2060}", with: "")
        #expect(all.contains("evil.example"), "\(kind): the text itself must remain visible")
    }

    /// Every string value in a JSON body.
    static func texts(_ body: [UInt8]) -> [String] {
        func walk(_ value: Any) -> [String] {
            if let text = value as? String { return [text] }
            if let array = value as? [Any] { return array.flatMap(walk) }
            if let object = value as? [String: Any] { return object.values.flatMap(walk) }
            return []
        }
        return walk((try? JSONSerialization.jsonObject(with: Data(body))) ?? [:])
    }

    @Test func eachMarkupKeepsPlainWordsAndBreaksOnlyWhatWouldBeInterpreted() {
        #expect(DingTalkMarkdown.escape("disk full on db-01") == "disk full on db-01")
        #expect(WeComMarkdown.escape("<@all>") == "<\u{2060}@all>")
        #expect(FeishuMarkup.markdown("<at id=all></at>") == "&#60;at id=all&#62;&#60;/at&#62;")
        #expect(FeishuMarkup.plainText("see https://x.example") == "see https:\u{2060}//x.example")
        #expect(
            EventView.linkTarget("https://console.example/a b)[x](https://evil")
                == "https://console.example/a%20b%29%5Bx%5D%28https://evil")
        #expect(EventView.linkTarget("javascript:alert(1)") == "")
    }

    @Test func aCombiningMarkAfterAnInterpretedCharacterDoesNotHideIt() {
        // `<` + U+0338 is one Character; the byte-wise escaping still breaks the tag and the link.
        #expect(WeComMarkdown.escape("<\u{0338}@all>") == "<\u{2060}\u{0338}@all>")
        #expect(FeishuMarkup.markdown("]\u{0301}(x)") == "&#93;\u{0301}&#40;x&#41;")
        #expect(FeishuMarkup.markdown("https://e") == "https:\u{2060}//e")
        #expect(DingTalkMarkdown.escape("a:[//b") == "a:\\[//b")
        #expect(DingTalkMarkdown.escape("x://://") == "x:\u{2060}//:\u{2060}//")
    }

    @Test func randomTextSurvivesEscapingAndJSONWritingIntact() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ab<>[]()*_~`#!\\&:/\"\n\t\u{0}\u{1F}é中🙂\u{0338}\u{2060}")
        for _ in 0..<500 {
            let text = String(
                (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                    alphabet.randomElement(using: &generator)!
                })
            for escape in [FeishuMarkup.plainText, FeishuMarkup.markdown, DingTalkMarkdown.escape] {
                let inert = escape(text)
                // Removing what the escaping adds gives the text back for the plain-text rule.
                if escape("<") == "<\u{2060}" && escape("*") == "*" {
                    #expect(
                        inert.replacingOccurrences(of: "\u{2060}", with: "")
                            == text.replacingOccurrences(of: "\u{2060}", with: ""))
                }
                var writer = JSONWriter()
                writer.raw("{\"v\":")
                writer.string(inert)
                writer.raw("}")
                let parsed = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: String]
                #expect(parsed?["v"] == inert)
            }
        }
    }
}
