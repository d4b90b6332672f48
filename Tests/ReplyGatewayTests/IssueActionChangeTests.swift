import Events
import GuanceAPI
import Testing

@testable import ReplyGateway

@Suite("Issue action → modify request")
struct IssueActionChangeTests {
    func action(_ kind: IssueAction.Action, email: String? = "a@example.com") -> IssueAction {
        IssueAction(
            commandId: "cmd_1", issueUUID: "issue_1", action: kind,
            actor: .init(platform: "feishu", id: "ou_1", name: "A", email: email), requestedAt: "2026-12-02T10:00:00Z",
            origin: .init(platform: "feishu", eventId: "e1"))
    }

    @Test func eachActionMapsToTheDocumentedModifyFields() {
        let resolve = IssueActionWriter.Change(action(.resolve))
        #expect(resolve.statusType == 20 && resolve.managers == nil)
        let reopen = IssueActionWriter.Change(action(.reopen))
        #expect(reopen.statusType == 10 && reopen.managers == nil)
        let acknowledge = IssueActionWriter.Change(action(.acknowledge))
        #expect(acknowledge.statusType == nil && acknowledge.managers == ["a@example.com"])
        #expect(IssueActionWriter.Change(action(.acknowledge, email: " ")).managers == nil)
    }

    @Test func aChangeAlreadyInPlaceIsRecognised() {
        let resolved = GuanceIssue(uuid: "issue_1", name: "n", statusType: 20, createAt: 1)
        #expect(IssueActionWriter.Change(action(.resolve)).isApplied(to: resolved))
        #expect(!IssueActionWriter.Change(action(.reopen)).isApplied(to: resolved))
        let assigned = GuanceIssue(
            uuid: "issue_1", name: "n", createAt: 1,
            extend: .object(["manager": .array([.string("A@example.com")])]))
        #expect(IssueActionWriter.Change(action(.acknowledge)).isApplied(to: assigned))
        #expect(!IssueActionWriter.Change(action(.acknowledge, email: "b@example.com")).isApplied(to: assigned))
    }
}
