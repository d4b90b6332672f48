import Events
import Foundation
import Testing

@testable import ReplyGateway

/// docs/events/*.schema.json describe what the gateway and writer really put on the topics.
@Suite("Reply event schemas")
struct EventSchemaTests {
    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/events")

    func schema(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Self.docs.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func encoded<T: Encodable>(_ value: T) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(EventCoding.encode(value))) as? [String: Any])
    }

    @Test func replyCommandMatchesItsSchema() throws {
        let schema = try schema("reply-command.v1.schema.json")
        let command = ReplyCommand(
            commandId: CommandIntake.commandID(platform: "feishu", eventID: "e1"), issueUUID: "issue_1",
            content: "x", requestedAt: EventCoding.rfc3339(Date()), origin: .init(platform: "feishu", eventId: "e1"))
        let json = try encoded(command)
        for key in try #require(schema["required"] as? [String]) { #expect(json[key] != nil, "\(key)") }
        let properties = try #require(schema["properties"] as? [String: Any])
        #expect(Set(json.keys).isSubset(of: Set(properties.keys)))
        let pattern = try #require((properties["commandId"] as? [String: Any])?["pattern"] as? String)
        #expect(command.commandId.range(of: pattern, options: .regularExpression) != nil)
        #expect((properties["schema"] as? [String: Any])?["const"] as? String == ReplyCommand.schemaV1)
    }

    @Test func replyResultMatchesItsSchema() throws {
        let schema = try schema("reply-result.v1.schema.json")
        let result = ReplyResult(
            commandId: "cmd_1", issueUUID: "issue_1", issueName: "n", outcome: .written, replyUUID: "repim_1",
            reason: nil, completedAt: EventCoding.rfc3339(Date()), origin: .init(platform: "feishu", eventId: "e1"))
        let json = try encoded(result)
        for key in try #require(schema["required"] as? [String]) { #expect(json[key] != nil, "\(key)") }
        let properties = try #require(schema["properties"] as? [String: Any])
        #expect(Set(json.keys).isSubset(of: Set(properties.keys)))
        let outcomes = try #require((properties["outcome"] as? [String: Any])?["enum"] as? [String])
        #expect(Set(outcomes) == Set(["written", "rejected", "failed"]))
    }
}

extension EventSchemaTests {
    @Test func pollTriggerMatchesItsSchema() throws {
        let schema = try schema("poll-trigger.v1.schema.json")
        let json = try encoded(PollTrigger(target: "prod", receivedAt: EventCoding.rfc3339(Date())))
        let required = try #require(schema["required"] as? [String])
        let properties = try #require(schema["properties"] as? [String: Any])
        #expect(Set(json.keys) == Set(required))
        #expect(Set(json.keys).isSubset(of: Set(properties.keys)))
        #expect((properties["schema"] as? [String: Any])?["const"] as? String == PollTrigger.schemaV1)
    }
}
