import Events
import Foundation
import Testing

@testable import ReplyGateway

extension EventSchemaTests {
    @Test func issueActionMatchesItsSchema() throws {
        let schema = try schema("issue-action.v1.schema.json")
        let action = IssueAction(
            commandId: CommandIntake.commandID(platform: "feishu", eventID: "e1"), issueUUID: "issue_1",
            action: .acknowledge, actor: .init(platform: "feishu", id: "ou_1", name: "A", email: "a@example.com"),
            requestedAt: EventCoding.rfc3339(Date()), origin: .init(platform: "feishu", eventId: "e1"))
        let json = try encoded(action)
        for key in try #require(schema["required"] as? [String]) { #expect(json[key] != nil, "\(key)") }
        let properties = try #require(schema["properties"] as? [String: Any])
        #expect(Set(json.keys).isSubset(of: Set(properties.keys)))
        #expect((properties["schema"] as? [String: Any])?["const"] as? String == IssueAction.schemaV1)
        let actions = try #require((properties["action"] as? [String: Any])?["enum"] as? [String])
        #expect(Set(actions) == Set(IssueAction.Action.allCases.map(\.rawValue)))
        let pattern = try #require((properties["commandId"] as? [String: Any])?["pattern"] as? String)
        #expect(action.commandId.range(of: pattern, options: .regularExpression) != nil)
        let actor = try #require((properties["actor"] as? [String: Any])?["properties"] as? [String: Any])
        #expect(Set((json["actor"] as? [String: Any] ?? [:]).keys).isSubset(of: Set(actor.keys)))
    }
}
