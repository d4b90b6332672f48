import DevStack
import Events
import Foundation
import Testing

@testable import Notifier

/// The live card: JSON 2.0, shared (`update_multi`), the buttons that apply to the status, and Guance text never
/// markup (golden files, including an inert-* one for a hostile issue).
@Suite("Issue card (Feishu JSON 2.0)")
struct IssueCardTests {
    @Test(arguments: [
        (10, "issue-card-open.json"), (20, "issue-card-resolved.json"),
    ])
    func cardMatchesGoldenFile(status: Int, file: String) throws {
        var event = makeEvent(3, kind: status == 10 ? .created : .updated)
        event.issue.statusType = status
        let (expected, actual) = try golden(file, Array(IssueCard(event: event).json().utf8))
        #expect(actual == expected)
    }

    @Test func aResolveClickShowsWhoClicked() throws {
        var event = makeEvent(3, kind: .updated)
        event.issue.statusType = 20
        event.actor = IssueEvent.Person(name: "张三")
        let body = IssueCard(event: event).json()
        let (expected, actual) = try golden("issue-card-resolved-by.json", Array(body.utf8))
        #expect(actual == expected)
        #expect(body.contains("Resolved 已解决 · 张三"))
    }

    @Test func anAcknowledgeShowsTheAssignee() throws {
        var event = makeEvent(3, kind: .updated)
        event.actor = IssueEvent.Person(name: "张三")
        event.issue.assignees = [IssueEvent.Person(name: "张三", email: "zhang@example.com")]
        let body = IssueCard(event: event).json()
        let (expected, actual) = try golden("issue-card-acknowledged.json", Array(body.utf8))
        #expect(actual == expected)
        #expect(body.contains("Assignee 负责人: 张三"))
        #expect(!IssueCard(event: makeEvent(3, kind: .updated)).json().contains("Assignee"))
    }

    @Test func theClickersNameIsInertText() throws {
        var event = makeEvent(3, kind: .updated)
        event.actor = IssueEvent.Person(name: "<at id=all></at> mallory")
        let texts = MarkupInjectionTests.texts(Array(IssueCard(event: event).json().utf8))
        #expect(!texts.contains { $0.contains("<at") })
        #expect(texts.contains { $0.contains(" · <\u{2060}at id=all><\u{2060}/at> mallory") })
    }

    @Test func hostileTextIsInert() throws {
        var event = MarkupInjectionTests.event
        event.issue.assignees = [IssueEvent.Person(name: "<at id=all></at> [x](https://evil.example)")]
        let body = Array(IssueCard(event: event).json().utf8)
        let (expected, actual) = try golden("inert-issue-card.json", body)
        #expect(actual == expected)
        try MarkupInjectionTests.expectInert(body, kind: .feishu)
    }

    @Test(arguments: [
        (10, ["acknowledge", "resolve"]), (15, ["acknowledge", "resolve"]), (30, ["acknowledge", "resolve"]),
        (20, ["reopen"]), (25, ["reopen"]),
    ])
    func buttonsFollowTheStatus(status: Int, actions: [String]) throws {
        var event = makeEvent(1)
        event.issue.statusType = status
        let card = json(Array(IssueCard(event: event).json().utf8))
        #expect(card["schema"] as? String == "2.0")
        #expect((card["config"] as? [String: Any])?["update_multi"] as? Bool == true)
        let values = Self.callbackValues(card)
        #expect(values.map { $0["action"] ?? "" } == actions)
        #expect(values.allSatisfy { $0["issueUUID"] == "issue_1" })
    }

    @Test func aHugeIssueStillFitsFeishusLimit() {
        var event = makeEvent(1)
        event.issue.name = String(repeating: "名", count: 20_000)
        event.issue.description = String(repeating: "描述", count: 50_000)
        event.issue.resource = String(repeating: "r", count: 50_000)
        #expect(IssueCard(event: event).json().utf8.count <= IssueCard.maxBytes)
    }

    /// The `value` of every callback button, in order.
    static func callbackValues(_ card: [String: Any]) -> [[String: String]] {
        func walk(_ value: Any) -> [[String: String]] {
            if let object = value as? [String: Any] {
                if object["type"] as? String == "callback", let value = object["value"] as? [String: String] {
                    return [value]
                }
                return object.keys.sorted().flatMap { walk(object[$0]!) }
            }
            if let array = value as? [Any] { return array.flatMap(walk) }
            return []
        }
        return walk(card["body"] ?? [:])
    }
}
