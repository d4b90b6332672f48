import DevStack
import Events
import Foundation
import GuanceAPI
import KafkaClient
import TestSupport
import Testing

@testable import ReplyGateway

/// `ReplyCommand.Origin.platform` is an enum with today's raw strings on the wire; a value this version does not know
/// neither traps nor fails the record: it round-trips unchanged, the writer writes the reply, only the chat answer
/// is skipped with the platform named.
@Suite("Reply platforms: the enum on the wire, one home per platform")
struct ReplyPlatformTests {
    @Test func knownPlatformsAreTheSchemasEnumAndEncodeAsTodaysStrings() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/events/reply-command.v1.schema.json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: docs)) as? [String: Any])
        let origin = try #require(
            ((schema["$defs"] as? [String: Any])?["origin"] as? [String: Any])?["properties"] as? [String: Any])
        let allowed = try #require((origin["platform"] as? [String: Any])?["enum"] as? [String])
        #expect(ReplyPlatform.known.map(\.rawValue) == allowed)
        let json = try EventCoding.encode(ReplyCommand.Origin(platform: .feishuFlow, eventId: "e"))
        #expect(String(decoding: json, as: UTF8.self).contains(#""platform":"feishu-flow""#))
        for platform in ReplyPlatform.known {
            let decoded = try EventCoding.decode(
                ReplyCommand.Origin.self, from: Array(#"{"platform":"\#(platform.rawValue)","eventId":"e"}"#.utf8))
            #expect(decoded.platform == platform)
        }
    }

    @Test(arguments: ["slack", "", "FEISHU", "feishu ", "飞书", String(repeating: "x", count: 10_000)])
    func anUnknownPlatformDecodesAndRoundTripsUnchanged(raw: String) throws {
        let record = try EventCoding.encode(["platform": raw, "eventId": "e"])
        let origin = try EventCoding.decode(ReplyCommand.Origin.self, from: record)
        #expect(origin.platform == .unknown(raw))
        let again = try #require(
            try JSONSerialization.jsonObject(with: Data(EventCoding.encode(origin))) as? [String: Any])
        #expect(again["platform"] as? String == raw)
    }

    @Test func aNonStringPlatformIsADecodingErrorNotATrap() {
        for body in [#"{"platform":7,"eventId":"e"}"#, #"{"platform":null,"eventId":"e"}"#, #"{"eventId":"e"}"#] {
            #expect(throws: DecodingError.self) {
                try EventCoding.decode(ReplyCommand.Origin.self, from: Array(body.utf8))
            }
        }
    }

    @Test func everyKnownPlatformHasOneHomeWithItsOwnRoute() {
        let platforms = ReplyPlatforms.all.map { $0.platform }
        #expect(Set(platforms) == Set(ReplyPlatform.known))
        #expect(platforms.count == ReplyPlatform.known.count)
        #expect(Set(ReplyPlatforms.all.map { $0.path }).count == ReplyPlatforms.all.count)
    }

    @Test func theResponderSkipsAnUnknownPlatformNamingIt() async throws {
        let responder = PlatformChatResponder(feishu: nil)
        let delivery = try await responder.respond(
            "reply added", to: .init(platform: .unknown("slack"), eventId: "e", messageId: "m"), key: "k")
        #expect(delivery == .skipped("platform 'slack' is not served by this gateway"))
        let flow = try await responder.respond("x", to: .init(platform: .feishuFlow, eventId: "e"), key: "k")
        guard case .skipped = flow else {
            Issue.record("the flow is answered over HTTP, got \(flow)")
            return
        }
    }
}

extension ReplyWriterTests {
    /// A command from a platform this version does not know (a newer gateway): written like any other, its result
    /// carries the platform unchanged, and nothing is answered in a chat.
    @Test func aCommandFromAnUnknownPlatformIsWrittenAndItsResultKeepsThePlatform() async throws {
        try await withGateway { gateway in
            let command = ReplyCommand(
                commandId: CommandIntake.commandID(platform: .unknown("slack"), eventID: "s1"),
                issueUUID: gateway.issue.uuid, content: "from slack", requestedAt: EventCoding.rfc3339(Date()),
                origin: .init(platform: .unknown("slack"), eventId: "s1"))
            _ = try await gateway.producer.send(
                topic: Topics.replyCommands, key: gateway.issue.uuid, value: try EventCoding.encode(command))
            try await eventually("written") { gateway.replies().map(\.content) == ["from slack"] }
            let results = try topicReader(gateway, topics: [Topics.replyResults])
            var result: ReplyResult?
            for try await record in results.records {
                result = try? EventCoding.decode(ReplyResult.self, from: record.value ?? [])
                if result?.commandId == command.commandId { break }
            }
            await results.close()
            #expect(result?.outcome == .written)
            #expect(result?.origin.platform == .unknown("slack"))
            #expect(gateway.feishu.replies.isEmpty)
        }
    }
}
