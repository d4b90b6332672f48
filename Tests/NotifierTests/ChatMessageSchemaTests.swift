import Events
import Foundation
import Testing

/// docs/events/chat-message.v1.schema.json describes what the notifier puts on `guance.chat-messages`.
@Suite("ChatMessage v1 schema")
struct ChatMessageSchemaTests {
    @Test func chatMessageMatchesItsSchema() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/events/chat-message.v1.schema.json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let message = ChatMessage(
            sink: "feishu-app", chatId: "oc_1", messageId: "om_1", issueUUID: "issue_1",
            sentAt: EventCoding.rfc3339(Date()), lastEventId: "evt-1")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(EventCoding.encode(message))) as? [String: Any])
        let required = try #require(schema["required"] as? [String])
        let properties = try #require(schema["properties"] as? [String: Any])
        #expect(Set(json.keys) == Set(required))
        #expect(Set(json.keys).isSubset(of: Set(properties.keys)))
        #expect((properties["schema"] as? [String: Any])?["const"] as? String == ChatMessage.schemaV1)
        #expect(message.key == "feishu-app/issue_1")
        #expect(Topics.all(partitions: 6).contains { $0.name == Topics.chatMessages })
    }
}
