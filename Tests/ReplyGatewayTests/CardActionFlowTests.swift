import AsyncHTTPClient
import DevStack
import Events
import Foundation
import GuanceAPI
import KafkaClient
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import ReplyGateway

/// Records everything on some topics from the start, in the background, while a test runs.
final class TopicRecorder: Sendable {
    private let stored = Mutex<[KafkaRecord]>([])

    var records: [KafkaRecord] { stored.withLock { $0 } }

    func append(_ record: KafkaRecord) { stored.withLock { $0.append(record) } }

    func issueEvents(_ issueUUID: String) -> [IssueEvent] {
        records.filter { $0.topic == Topics.issueEvents }.compactMap { record in
            record.value.flatMap { try? EventCoding.decode(IssueEvent.self, from: $0) }
        }.filter { $0.issue.uuid == issueUUID }
    }

    func results(_ commandID: String? = nil) -> [ReplyResult] {
        records.filter { $0.topic == Topics.replyResults }.compactMap { record in
            record.value.flatMap { try? EventCoding.decode(ReplyResult.self, from: $0) }
        }.filter { commandID == nil || $0.commandId == commandID }
    }
}

func withTopicRecorder(
    _ gateway: GatewayHarness, topics: [String], _ body: (TopicRecorder) async throws -> Void
) async throws {
    let consumer = try topicReader(gateway, topics: topics)
    let recorder = TopicRecorder()
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { for try await record in consumer.records { recorder.append(record) } }
        defer { group.cancelAll() }
        try await body(recorder)
    }
    await consumer.close()
}

/// A click through the real gateway (signed, encrypted callback over HTTP), Kafka (mock cluster), the writer and the
/// Guance simulator; answers in the card's thread through the Feishu app fake.
@Suite("Card actions end to end", .serialized, .timeLimit(.minutes(2)))
struct CardActionFlowTests {
    func modifyCalls(_ gateway: GatewayHarness) -> Int {
        gateway.guance.calls().filter { $0.endpoint == "issue_modify" && $0.status == 200 }.count
    }

    @Test func aResolveClickModifiesOnceAndPublishesTheResultAndThePollersUpdatedEvent() async throws {
        try await withGateway { gateway in
            try await withTopicRecorder(gateway, topics: [Topics.issueEvents, Topics.replyResults]) { recorder in
                let uuid = gateway.issue.uuid
                let answer = try await gateway.sender.sendCardClick(
                    action: "resolve", issueUUID: uuid, messageID: "om_card_resolve", eventID: "ev_resolve")
                #expect(answer.status == 200)
                #expect(answer.body.contains(#""type":"success""#))
                let commandID = CommandIntake.commandID(platform: "feishu", eventID: "ev_resolve")
                try await eventually("result published") { !recorder.results(commandID).isEmpty }
                #expect(gateway.guance.issue(uuid: uuid)?.statusType == 20)
                #expect(modifyCalls(gateway) == 1)
                let result = try #require(recorder.results(commandID).first)
                #expect(result.outcome == .written)
                #expect(result.action == .resolve)
                try await eventually("issue.updated published") { !recorder.issueEvents(uuid).isEmpty }
                let event = try #require(recorder.issueEvents(uuid).first)
                #expect(event.kind == .updated)
                #expect(event.issue.statusType == 20)
                // Who clicked (no directory entry here: the Feishu user id), which the poller cannot know.
                #expect(event.actor == IssueEvent.Person(name: "ou_devstack_user"))
                // The id the poller derives from the next listing of the same change.
                let listed = try #require(gateway.guance.issue(uuid: uuid))
                #expect(event.eventId == IssueEventFactory.updatedID(listed))
            }
        }
    }

    @Test func theSameClickRedeliveredThreeTimesModifiesOnce() async throws {
        try await withGateway { gateway in
            try await withTopicRecorder(
                gateway, topics: [Topics.issueEvents, Topics.replyResults, Topics.replyCommands]
            ) { recorder in
                let uuid = gateway.issue.uuid
                for _ in 0..<3 {
                    let answer = try await gateway.sender.sendCardClick(
                        action: "resolve", issueUUID: uuid, messageID: "om_card_dup", eventID: "ev_dup")
                    #expect(answer.status == 200)
                }
                // Kafka redelivers the record itself too (a writer restart before the commit).
                try await eventually("command on Kafka") {
                    recorder.records.contains { $0.topic == Topics.replyCommands }
                }
                let command = try #require(recorder.records.first { $0.topic == Topics.replyCommands })
                for _ in 0..<2 {
                    _ = try await gateway.producer.send(
                        topic: Topics.replyCommands, key: uuid, value: command.value, headers: command.headers)
                }
                // A later, different click on the same issue: once it is done, everything before it was handled.
                _ = try await gateway.sender.sendCardClick(
                    action: "reopen", issueUUID: uuid, messageID: "om_card_dup", eventID: "ev_after")
                let after = CommandIntake.commandID(platform: "feishu", eventID: "ev_after")
                try await eventually("the later click done") { !recorder.results(after).isEmpty }
                #expect(modifyCalls(gateway) == 2)
                let dup = CommandIntake.commandID(platform: "feishu", eventID: "ev_dup")
                #expect(recorder.results(dup).count == 1)
                #expect(recorder.issueEvents(uuid).map(\.issue.statusType) == [20, 10])
            }
        }
    }

    @Test func anUnmappedClickerGetsAnAnswerInTheThreadAndNoModify() async throws {
        try await withGateway { gateway in
            let answer = try await gateway.sender.sendCardClick(
                action: "acknowledge", issueUUID: gateway.issue.uuid, openID: "ou_stranger", messageID: "om_card_ack")
            #expect(answer.status == 200)
            #expect(answer.body.contains("IDENTITY_FILE"))
            try await eventually("answered in the card's thread") {
                gateway.feishu.replies.contains { $0.messageID == "om_card_ack" && $0.replyInThread }
            }
            let reply = try #require(gateway.feishu.replies.first { $0.messageID == "om_card_ack" })
            #expect(reply.text.contains("IDENTITY_FILE"))
            #expect(modifyCalls(gateway) == 0)
            #expect(gateway.guance.calls().allSatisfy { $0.endpoint != "issue_modify" })
        }
    }

    @Test func aRefusedModifyIsExplainedInTheCardsThread() async throws {
        try await withGateway { gateway in
            gateway.guance.injectFault(
                .status(400, errorCode: "ft.ParamError"), endpoint: "issue_modify", count: 1)
            let answer = try await gateway.sender.sendCardClick(
                action: "resolve", issueUUID: gateway.issue.uuid, messageID: "om_card_fail")
            #expect(answer.status == 200)
            try await eventually("explained in the card's thread") {
                gateway.feishu.replies.contains { $0.messageID == "om_card_fail" && $0.replyInThread }
            }
            let reply = try #require(gateway.feishu.replies.first { $0.messageID == "om_card_fail" })
            #expect(reply.text.contains("resolve failed"))
            #expect(gateway.guance.issue(uuid: gateway.issue.uuid)?.statusType == 10)
        }
    }
}

extension CardActionFlowTests {
    /// The issue.updated after an Acknowledge names the clicker as the assignee (Guance lists only the e-mail).
    @Test func acknowledgeAssignsTheClickersGuanceAccountFromTheContactDirectory() async throws {
        try await withGateway { gateway in
            try await withTopicRecorder(gateway, topics: [Topics.issueEvents]) { recorder in
                gateway.feishu.contacts.addUser(openID: "ou_alice", name: "Alice", email: "alice@example.com")
                let answer = try await gateway.sender.sendCardClick(
                    action: "acknowledge", issueUUID: gateway.issue.uuid, openID: "ou_alice",
                    messageID: "om_card_mine")
                #expect(answer.body.contains(#""type":"success""#))
                try await eventually("assigned") {
                    gateway.guance.issue(uuid: gateway.issue.uuid)?.managers == ["alice@example.com"]
                }
                #expect(modifyCalls(gateway) == 1)
                try await eventually("issue.updated published") { !recorder.issueEvents(gateway.issue.uuid).isEmpty }
                let event = try #require(recorder.issueEvents(gateway.issue.uuid).first)
                #expect(event.issue.assignees == [IssueEvent.Person(name: "Alice", email: "alice@example.com")])
                #expect(event.actor == IssueEvent.Person(name: "Alice"))
            }
        }
    }

    @Test func aReplyFromTheChatStartsWithTheNameAndCarriesTheChatUser() async throws {
        try await withGateway { gateway in
            gateway.feishu.contacts.addUser(openID: "ou_devstack_user", name: "张三", email: "zhangsan@example.com")
            let answer = try await gateway.sender.sendMessage(
                text: "@_user_1 #\(gateway.issue.uuid)#收到", messageID: "om_named")
            #expect(answer.status == 200)
            try await eventually("written") { gateway.replies().count == 1 }
            let reply = try #require(gateway.replies().first)
            #expect(reply.content == "张三：收到")
            let user = reply.extend?["chatUser"]
            #expect(user?["name"]?.stringValue == "张三")
            #expect(user?["email"]?.stringValue == "zhangsan@example.com")
            #expect(user?["id"]?.stringValue == "ou_devstack_user")
            #expect(user?["platform"]?.stringValue == "feishu")
        }
    }
}

extension CardActionFlowTests {
    @Test func theAppFakesAdminRouteSendsASignedClick() async throws {
        try await withGateway { gateway in
            gateway.feishu.setEventTarget(gateway.sender)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(gateway.feishuPort)/admin/send-card-click")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: #"{"action":"resolve","issueUUID":"\#(gateway.issue.uuid)"}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(response.status == .ok)
            #expect(body.contains(#""gatewayStatus":200"#))
            try await eventually("resolved") { gateway.guance.issue(uuid: gateway.issue.uuid)?.statusType == 20 }
        }
    }
}
