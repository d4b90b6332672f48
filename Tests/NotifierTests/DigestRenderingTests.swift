import DevStack
import Events
import Foundation
import Testing

@testable import Notifier

/// A digest is readable on its own: count, levels, the newest titles each with its link, a link to the whole list;
/// titles cannot break the markup they are put into.
@Suite("Storm digests")
struct DigestRenderingTests {
    @Test func titlesCannotBreakTheLinksTheyAreIn() throws {
        var hostile = makeEvent(1)
        hostile.issue.name = "db](https://evil.example) *down* <at id=all>"
        for kind in [SinkKind.feishu, .dingtalk, .wecom] {
            let body = MessageRenderer(kind: kind).renderDigest([hostile, makeEvent(2)])
            let text = String(decoding: body, as: UTF8.self)
            #expect(!text.contains("db](https://evil.example)"), "\(kind)")
            #expect(!text.contains("<at id=all>"), "\(kind)")
            #expect(text.contains("https://console.guance.example/workspace/wksp_1/issue/issue_1"), "\(kind)")
        }
        let card = json(MessageRenderer(kind: .feishu).renderDigest([hostile, makeEvent(2)]))
        #expect(ChatCapture.feishuBodyProblem(card) == nil)
    }

    @Test func theListLinkComesFromTheIssueLinksAndIsLeftOutWhenTheyDoNotShowIt() {
        let events = [makeEvent(1), makeEvent(2)]
        let renderer = MessageRenderer(kind: .dingtalk)
        #expect(renderer.digest(of: events).listURL == "https://console.guance.example/workspace/wksp_1/issue")
        var odd = makeEvent(3)
        odd.issue.url = "https://console.guance.example/somewhere-else"
        #expect(renderer.digest(of: [odd]).listURL == nil)
        #expect(!String(decoding: renderer.renderDigest([odd, odd]), as: UTF8.self).contains("All issues in Guance"))
    }
}
