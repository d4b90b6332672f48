import Events
import Foundation
import GuanceAPI
import Testing

@testable import Poller

/// The JSON Schema in docs/events/ describes what the poller really publishes.
@Suite("IssueEvent v1 matches docs/events/issue-event.v1.schema.json")
struct IssueEventSchemaTests {
    static let schemaURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/events/issue-event.v1.schema.json")

    func object(_ any: Any?) throws -> [String: Any] { try #require(any as? [String: Any]) }

    /// Checks required keys and that no key is undocumented, recursively for the nested objects.
    func check(_ value: [String: Any], against schema: [String: Any], path: String) throws {
        let properties = try object(schema["properties"])
        for key in (schema["required"] as? [String]) ?? [] {
            #expect(value[key] != nil, "\(path).\(key) is required by the schema")
        }
        for (key, member) in value {
            let propertySchema = try #require(properties[key] as? [String: Any], "\(path).\(key) is not in the schema")
            if let nested = member as? [String: Any], propertySchema["properties"] != nil {
                try check(nested, against: propertySchema, path: "\(path).\(key)")
            }
        }
    }

    @Test func everyKindMatchesTheSchema() throws {
        let schema = try object(JSONSerialization.jsonObject(with: Data(contentsOf: Self.schemaURL)))
        let factory = IssueEventFactory(
            workspaceUUID: "wksp_1", channel: .init(uuid: "chan_1", name: "default"), consoleURL: "https://c.example")
        let issue = GuanceIssue(
            uuid: "issue_1", name: "cpu", description: "<p>hot</p>", level: "2", statusType: 10, resource: "host",
            resourceType: "host", workspaceUUID: "wksp_1", createAt: 1_700_000_000,
            creatorInfo: GuancePersonInfo(name: "kj", email: "kj@example.com"),
            extend: .object(["manager": .array([.string("kj@example.com"), .string("acnt_1")])]))
        let reply = GuanceReply(
            uuid: "repim_1", issueUUID: "issue_1", content: "ok", creatorInfo: GuancePersonInfo(name: "al"),
            createAt: 1_700_000_100)
        let eventIDPattern = try Regex(
            try #require(try object(try object(schema["properties"])["eventId"])["pattern"] as? String))
        var clicked = factory.updated(issue)
        clicked.actor = IssueEvent.Person(name: "张三")
        for event in [factory.created(issue), factory.updated(issue), factory.reply(reply, on: issue), clicked] {
            let json = try object(JSONSerialization.jsonObject(with: Data(EventCoding.encode(event))))
            try check(json, against: schema, path: event.kind.rawValue)
            #expect(event.eventId.wholeMatch(of: eventIDPattern) != nil)
            #expect(json["schema"] as? String == "guance.issue-event/v1")
            let assignees = try #require((json["issue"] as? [String: Any])?["assignees"] as? [[String: Any]])
            #expect(assignees.map { $0["name"] as? String } == ["kj@example.com", "acnt_1"])
            #expect(assignees.map { $0["email"] as? String } == ["kj@example.com", nil])
        }
    }
}
