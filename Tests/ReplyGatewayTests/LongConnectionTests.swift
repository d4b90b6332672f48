import AsyncHTTPClient
import DevStack
import Events
import FeishuKit
import Foundation
import GuanceAPI
import KafkaClient
import NIOCore
import NIOHTTP1
import ServiceKit
import Testing

@testable import ReplyGateway

/// Gateways in `FEISHU_EVENT_MODE=websocket` against the long-connection fake: events arrive only over the
/// connection, go through the `/feishu/events` pipeline, and are answered after the Kafka ack.
@Suite("Feishu long connection", .serialized, .timeLimit(.minutes(3)))
struct LongConnectionTests {
    @Test func aMessageOverTheConnectionWritesOneReplyAndIsAnsweredAfterTheKafkaAck() async throws {
        try await withLongConnection { harness, gateways in
            let gateway = gateways[0]
            #expect(gateway.readinessFailure == nil)
            // Websocket mode: /feishu/events is not served (404), Feishu never needs to reach the gateway.
            var post = HTTPClientRequest(url: "http://127.0.0.1:\(gateway.port)/feishu/events")
            post.method = .POST
            post.body = .bytes(.init(string: "{}"))
            #expect(try await HTTPClient.shared.execute(post, timeout: .seconds(5)).status.code == 404)

            let eventID = "ev_ws_1"
            let delivery = try await harness.server.deliver(harness.message("收到，正在处理", eventID: eventID))
            #expect(delivery.answer.code == 200)
            #expect(delivery.answer.data == nil)
            #expect(delivery.headers.contains { $0.key == "biz_rt" && Int($0.value) != nil })
            // The answer came after the Kafka ack: the command is on the topic, so the reply gets written.
            try await eventually("the reply was written") { harness.replies().count == 1 }
            let reply = try #require(harness.replies().first)
            #expect(reply.content == "收到，正在处理")
            #expect(reply.chatOpsMarker?.commandID == CommandIntake.commandID(platform: "feishu", eventID: eventID))

            // Feishu re-sends the same event (new message id on the connection): answered, not published again.
            let again = try await harness.server.deliver(harness.message("收到，正在处理", eventID: eventID))
            #expect(again.answer.code == 200)
            // A wrong verification token is refused without a retry request (code 200, nothing published).
            let forged = try await harness.server.deliver(harness.message("forged", token: "not-the-token"))
            #expect(forged.answer.code == 200)
            try await Task.sleep(for: .milliseconds(500))  // nothing to await: the absence of a second reply
            #expect(harness.replies().count == 1)
        }
    }

    @Test func aCardClickOverTheConnectionIsPublishedOnceAndAnsweredWithTheToast() async throws {
        try await withLongConnection { harness, _ in
            let click = FeishuEventFactory.cardActionEvent(
                eventID: "ev_click", token: LongConnectionHarness.verificationToken, action: "resolve",
                issueUUID: harness.issue.uuid)
            for type in ["card", "event"] {  // Feishu has sent clicks as either frame type
                let delivery = try await harness.server.deliver(click, type: type)
                #expect(delivery.answer.code == 200)
                let data = try #require(delivery.answer.data)
                let toast = try #require(
                    (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["toast"] as? [String: Any])
                #expect(toast["type"] as? String == (type == "card" ? "success" : "info"), "\(toast)")
            }
            // The IssueAction was on Kafka before the first answer; the repeated click published nothing.
            #expect(try await harness.commandRecords() == 1)
        }
    }

    @Test func aConnectionDroppedMidEventIsReSentAfterTheReconnectAndWritesOneReply() async throws {
        var settings = FeishuLongConnectionServer.Settings()
        settings.fragmentSize = 100  // every event in several fragments: the drop comes between two of them
        try await withLongConnection(server: settings) { harness, gateways in
            harness.server.dropNextDeliveries(1)
            let dropped = try await harness.server.deliver(harness.message("after the drop", eventID: "ev_dropped"))
            #expect(dropped.attempts == 2)
            #expect(dropped.answer.code == 200)
            #expect(harness.server.connectionsOpened == 2)
            // An answered event sent again after its connection dropped and came back: still one reply.
            let (first, second) = try await harness.server.deliverAgainAfterReconnect(
                harness.message("sent twice", eventID: "ev_twice"))
            #expect(first.answer.code == 200 && second.answer.code == 200)
            try await eventually("both replies written") { harness.replies().count == 2 }
            let texts = harness.replies().map(\.content).sorted()
            #expect(texts == ["after the drop", "sent twice"])
            #expect(gateways[0].readinessFailure == nil)
        }
    }

    @Test func twoInstancesShare200EventsAndEachIsWrittenOnce() async throws {
        try await withLongConnection(instances: 2) { harness, _ in
            let count = 200
            let deliveries = try await withThrowingTaskGroup(of: FeishuLongConnectionServer.Delivery.self) { group in
                var results: [FeishuLongConnectionServer.Delivery] = []
                for index in 0..<count {
                    if index >= 16, let done = try await group.next() { results.append(done) }
                    group.addTask {
                        try await harness.server.deliver(harness.message("event \(index)", eventID: "ev_\(index)"))
                    }
                }
                for try await done in group { results.append(done) }
                return results
            }
            #expect(deliveries.allSatisfy { $0.answer.code == 200 })
            let perConnection = Dictionary(grouping: deliveries, by: \.connection).mapValues(\.count)
            #expect(perConnection.count == 2 && perConnection.values.allSatisfy { $0 >= 50 }, "\(perConnection)")
            // Feishu re-sends a few answered events after a reconnect, possibly to the other instance.
            for index in 0..<5 {
                _ = try await harness.server.deliverAgainAfterReconnect(
                    harness.message("event \(index)", eventID: "ev_\(index)"))
            }
            try await eventually(timeout: .seconds(60), "\(count) replies written") { harness.replies().count >= count }
            let replies = harness.replies()
            #expect(replies.count == count)
            let commands = Set(replies.compactMap { $0.chatOpsMarker?.commandID })
            #expect(commands.count == count)
            #expect(
                commands == Set((0..<count).map { CommandIntake.commandID(platform: "feishu", eventID: "ev_\($0)") }))
        }
    }

    /// Garbage, mutated frames and hostile fragment headers from the server: ignored, the connection stays, and the
    /// next genuine event is handled. Seeded; `FRAME_FUZZ_SEED=<seed>` replays a run.
    @Test func hostileFramesOverTheConnectionAreIgnoredWithoutReconnecting() async throws {
        let seed =
            ProcessInfo.processInfo.environment["FRAME_FUZZ_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0...UInt64.max)
        var random = SplitMix64(seed: seed)
        try await withLongConnection { harness, _ in
            let valid = FeishuFrame(
                seqID: 1, service: 1, method: .data,
                headers: [.init("type", "event"), .init("message_id", "m"), .init("sum", "2"), .init("seq", "0")],
                payload: Array(harness.message("never complete").utf8)
            ).encoded()
            for round in 0..<2000 {
                var bytes =
                    round % 2 == 0
                    ? (0..<Int.random(in: 0...96, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random)
                    }
                    : valid
                if round % 2 == 1 {
                    for _ in 0...Int.random(in: 0...4, using: &random) {
                        bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(
                            in: 0...255, using: &random)
                    }
                }
                try await harness.server.sendRaw(bytes)
            }
            for (sum, seq) in [("99999999999999999999", "0"), ("-3", "0"), ("2", "5"), ("256", "255")] {
                let frame = FeishuFrame(
                    method: .data,
                    headers: [.init("type", "event"), .init("message_id", "h"), .init("sum", sum), .init("seq", seq)],
                    payload: Array("{".utf8))
                try await harness.server.sendRaw(frame.encoded())
            }
            let delivery = try await harness.server.deliver(harness.message("after the garbage", eventID: "ev_after"))
            #expect(delivery.answer.code == 200, "seed \(seed)")
            #expect(harness.server.connectionsOpened == 1, "the connection was dropped; seed \(seed)")
            // A mutation may leave a decodable, complete event (say `sum` became 1): that one is Feishu's word and may
            // be written too; the genuine event is written exactly once.
            try await eventually("the reply was written") {
                harness.replies().contains { $0.content == "after the garbage" }
            }
            #expect(harness.replies().filter { $0.content == "after the garbage" }.count == 1)
        }
    }

    @Test func pingsFollowTheServerIntervalAndReadinessFollowsTheConnection() async throws {
        var settings = FeishuLongConnectionServer.Settings()
        settings.clientConfig.pingInterval = 1
        try await withLongConnection(server: settings) { harness, gateways in
            try await eventually(timeout: .seconds(10), "two pings") { harness.server.pingsReceived >= 2 }
            harness.server.refuseNextHandshakes(
                Array(repeating: .init(status: "514", message: "auth failed"), count: 3))
            harness.server.dropAllConnections()
            try await eventually("not ready while refused") {
                gateways[0].readinessFailure?.contains("Handshake-Status 514") == true
            }
            try await eventually("connected again") {
                harness.server.openConnections == 1 && gateways[0].readinessFailure == nil
            }
            let delivery = try await harness.server.deliver(harness.message("after the refusals"))
            #expect(delivery.answer.code == 200)
        }
    }

    @Test func tooManyConnectionsOrWrongCredentialsStopTheGatewaySayingWhy() async throws {
        try await withLongConnection(instances: 0) { harness, _ in
            harness.server.refuseNextHandshakes([.connectionLimit])
            let limited = try await harness.startGateway()
            guard case .failure(let error) = await limited.task.value else {
                Issue.record("the gateway kept running past the connection limit")
                return
            }
            #expect("\(error)".contains(FeishuLongConnectionEndpoint.connectionLimitCode))
            let wrong = try await harness.startGateway(harness.config(appSecret: "wrong"))
            guard case .failure(let refused) = await wrong.task.value else {
                Issue.record("the gateway kept running with a wrong app secret")
                return
            }
            #expect("\(refused)".contains("code 10014"))
            #expect(!"\(refused)".contains("wrong"), "the secret must not appear in the error")
        }
    }

    @Test func aStoppedInstanceClosesCleanlyAndTheOtherKeepsReceiving() async throws {
        try await withLongConnection(instances: 2) { harness, gateways in
            let result = await gateways[0].stop()
            guard case .success = result else {
                Issue.record("graceful shutdown failed: \(result)")
                return
            }
            try await eventually("one connection left") { harness.server.openConnections == 1 }
            let delivery = try await harness.server.deliver(harness.message("to the survivor", eventID: "ev_survivor"))
            #expect(delivery.answer.code == 200 && delivery.attempts == 1)
            try await eventually("the reply was written") { harness.replies().count == 1 }
        }
    }
}
