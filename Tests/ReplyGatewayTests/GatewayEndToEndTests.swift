import AsyncHTTPClient
import DevStack
import Events
import FeishuKit
import Foundation
import GuanceAPI
import KafkaClient
import Logging
import TestSupport
import Testing

@testable import ReplyGateway

/// Gateway + writer + Guance simulator + Feishu app fake + mock Kafka cluster in this process.
@Suite("Reply gateway end to end", .serialized, .timeLimit(.minutes(2)))
struct GatewayEndToEndTests {
    @Test func anEncryptedMessageDeliveredThreeTimesWritesOneReplyAndOneConfirmation() async throws {
        try await withGateway { gateway in
            let uuid = gateway.issue.uuid
            let eventID = "ev_retried"
            for _ in 0..<3 {
                // Feishu retries carry the same event id, freshly encrypted and signed.
                let answer = try await gateway.sender.sendMessage(
                    text: "@_user_1 #\(uuid)#收到，正在处理", eventID: eventID, messageID: "om_user_msg")
                #expect(answer.status == 200)
            }
            try await eventually("the reply was written") { !gateway.replies().isEmpty }
            try await eventually("the confirmation was answered in the thread") {
                gateway.feishu.replies.contains { $0.messageID == "om_user_msg" }
            }
            let replies = gateway.replies()
            #expect(replies.count == 1)
            #expect(replies.first?.content == "收到，正在处理")
            #expect(
                replies.first?.chatOpsMarker?.commandID == CommandIntake.commandID(platform: "feishu", eventID: eventID)
            )
            let confirmations = gateway.feishu.replies.filter { $0.messageID == "om_user_msg" }
            #expect(confirmations.count == 1)
            #expect(confirmations.first?.text.contains("reply added to disk usage 91% on db-01") == true)
            #expect(confirmations.first?.replyInThread == true)
            #expect(gateway.feishu.tokenRequestCount == 1)
        }
    }

    @Test func aReplyInANotificationThreadIsWrittenToThatIssue() async throws {
        try await withGateway { gateway in
            gateway.feishu.addMessage(id: "om_notification", text: "[P2] disk usage 91% on db-01 \(gateway.issue.uuid)")
            let answer = try await gateway.sender.sendMessage(
                text: "@_user_1 cleaning up the binlogs", rootID: "om_notification", messageID: "om_in_thread")
            #expect(answer.status == 200)
            try await eventually("the reply was written") { gateway.replies().count == 1 }
            #expect(gateway.replies().first?.content == "cleaning up the binlogs")
            // A message naming no issue, outside any notification thread: 200 and a usage hint in its thread.
            let chatter = try await gateway.sender.sendMessage(text: "@_user_1 what is up", messageID: "om_chatter")
            #expect(chatter.status == 200)
            try await eventually("usage hint sent") { gateway.feishu.replies.contains { $0.messageID == "om_chatter" } }
            #expect(
                gateway.feishu.replies.first { $0.messageID == "om_chatter" }?.text.contains("#issue_uuid#") == true)
            #expect(gateway.replies().count == 1)
        }
    }

    @Test func aWriterKilledAfterGuanceAcceptedTheReplyLeavesOneReplyAfterRestart() async throws {
        try await withGateway(role: .ingress) { gateway in
            struct Crash: Error {}
            let writerSettings = consumerSettings(gateway, group: ReplyWriter.groupID, topics: [Topics.replyCommands])
            let client = GuanceOpenAPIClient(
                settings: .init(baseURL: gateway.guance.url, apiKey: gateway.guance.apiKey), httpClient: .shared,
                budget: GuanceRequestBudget(limit: 0), logger: gatewayTestLogger)
            // First writer: dies right after the OpenAPI accepted the reply (offset not stored, no result).
            let crashed = Task {
                let consumer = try KafkaConsumerClient(settings: writerSettings, logger: gatewayTestLogger)
                let writer = ReplyWriter(
                    consumer: consumer, producer: gateway.producer, guance: client, logger: gatewayTestLogger,
                    afterCreate: { _ in
                        consumer.abandonWithoutClosing()
                        throw Crash()
                    })
                try await writer.run()
            }
            let answer = try await gateway.sender.sendMessage(
                text: "@_user_1 #\(gateway.issue.uuid)#rolling back", messageID: "om_crash")
            #expect(answer.status == 200)
            await #expect(throws: Crash.self) { try await crashed.value }
            #expect(gateway.replies().count == 1)
            // Second writer, same group: gets the partition after the session timeout and sees the record again.
            let consumer = try KafkaConsumerClient(settings: writerSettings, logger: gatewayTestLogger)
            let writer = ReplyWriter(
                consumer: consumer, producer: gateway.producer, guance: client, logger: gatewayTestLogger)
            let restarted = Task { try await writer.run() }
            defer { restarted.cancel() }
            try await eventually(timeout: .seconds(60), "the restarted writer confirmed the command") {
                gateway.feishu.replies.contains { $0.messageID == "om_crash" }
            }
            #expect(gateway.replies().count == 1)
            #expect(gateway.feishu.replies.first { $0.messageID == "om_crash" }?.text.contains("reply added") == true)
            await consumer.close()
        }
    }

    @Test func forgedRequestsAreRejectedLoggedWithoutSecretsAndWriteNothing() async throws {
        let logs = LogCapture()
        try await withGateway(logger: logs.logger("reply-gateway", level: .info)) { gateway in
            let uuid = gateway.issue.uuid
            let event = FeishuEventFactory.messageEvent(
                eventID: "ev_forged", token: GatewayHarness.verificationToken, text: "#\(uuid)#forged",
                messageID: "om_f")
            var wrongSignature = FeishuEventFactory.request(event, encryptKey: GatewayHarness.encryptKey)
            wrongSignature.headers[FeishuHeaders.signature] = String(repeating: "a", count: 64)
            let stale = FeishuEventFactory.request(
                event, encryptKey: GatewayHarness.encryptKey, timestamp: Date().addingTimeInterval(-900))
            let wrongToken = FeishuEventFactory.request(
                FeishuEventFactory.messageEvent(
                    eventID: "ev_forged2", token: "guess", text: "#\(uuid)#forged", messageID: "om_f"),
                encryptKey: GatewayHarness.encryptKey)
            let undecryptable = FeishuEventFactory.request(event, encryptKey: "some-other-key")
            let malformed = FeishuEventFactory.request("{\"schema\":", encryptKey: GatewayHarness.encryptKey)
            for (name, request, expected) in [
                ("wrong signature", wrongSignature, 401), ("stale timestamp", stale, 401),
                ("wrong token", wrongToken, 401),
                ("undecryptable", undecryptable, 401), ("malformed JSON", malformed, 400),
            ] {
                let (status, _) = try await gateway.sender.send(request)
                #expect(status == expected, "\(name)")
            }
            // Undecryptable with a valid signature (the signer knows the key, the ciphertext is garbage).
            let garbage = Array(#"{"encrypt":"\#(Data(repeating: 9, count: 64).base64EncodedString())"}"#.utf8)
            let seconds = String(Int64(Date().timeIntervalSince1970))
            let signature = FeishuEventCrypto.signature(
                timestamp: seconds, nonce: "n1", encryptKey: GatewayHarness.encryptKey, body: garbage)
            let (garbageStatus, _) = try await gateway.post(
                "/feishu/events", body: garbage,
                headers: [
                    FeishuHeaders.timestamp: seconds, FeishuHeaders.nonce: "n1", FeishuHeaders.signature: signature,
                ])
            #expect(garbageStatus == 400)
            let (bigStatus, _) = try await gateway.post(
                "/feishu/events", body: [UInt8](repeating: UInt8(ascii: "x"), count: 10 << 20))
            #expect(bigStatus == 413)
            // A genuine message on the same issue (same partition) is written; the forged ones before it were not.
            let genuine = try await gateway.sender.sendMessage(text: "@_user_1 #\(uuid)#genuine", messageID: "om_ok")
            #expect(genuine.status == 200)
            try await eventually("the genuine reply was written") { !gateway.replies().isEmpty }
            try await eventually("the genuine reply was confirmed") {
                gateway.feishu.replies.contains { $0.messageID == "om_ok" }
            }
            #expect(gateway.replies().map(\.content) == ["genuine"])
        }
        let rejections = logs.lines.filter { $0.contains("callback rejected") }
        #expect(rejections.count == 7, "\(rejections)")
        for reason in [
            "signature does not match", "timestamp outside", "verification token", "cannot decrypt", "malformed JSON",
            "exceeds the limit",
        ] {
            #expect(rejections.contains { $0.contains(reason) }, "\(reason)")
        }
        for secret in [
            GatewayHarness.encryptKey, GatewayHarness.verificationToken, GatewayHarness.flowToken, "app-secret-harness",
        ] {
            #expect(!logs.lines.contains { $0.contains(secret) }, "a log line contains a secret")
        }
    }

    @Test func kafkaDownAnswers503AndTheRetryAfterRecoveryIsAccepted() async throws {
        try await withGateway { gateway in
            try await eventually("ready") { try await gateway.get("/readyz", metrics: true) == 200 }
            for broker in gateway.cluster.brokerIDs { try gateway.cluster.setBrokerDown(broker) }
            let text = "@_user_1 #\(gateway.issue.uuid)#after the outage"
            let during = try await gateway.sender.sendMessage(text: text, eventID: "ev_outage", messageID: "om_outage")
            #expect(during.status == 503)
            try await eventually("not ready") { try await gateway.get("/readyz", metrics: true) == 503 }
            for broker in gateway.cluster.brokerIDs { try gateway.cluster.setBrokerUp(broker) }
            var retried = 0
            try await eventually(timeout: .seconds(30), interval: .milliseconds(500), "Feishu's retry is accepted") {
                retried = try await gateway.sender.sendMessage(text: text, eventID: "ev_outage", messageID: "om_outage")
                    .status
                return retried == 200
            }
            try await eventually(timeout: .seconds(30), "the reply was written") { gateway.replies().count == 1 }
            try await eventually("confirmed") { gateway.feishu.replies.contains { $0.messageID == "om_outage" } }
            #expect(gateway.replies().count == 1)
        }
    }

    @Test func theFlowEndpointNeedsItsTokenAndThenWritesTheReply() async throws {
        try await withGateway { gateway in
            let body = Array(##"{"content":"#\##(gateway.issue.uuid)#from the flow"}"##.utf8)
            let (missing, _) = try await gateway.post("/feishu/flow", body: body)
            let (wrong, _) = try await gateway.post(
                "/feishu/flow", body: body, headers: ["Authorization": "Bearer nope"])
            #expect(missing == 401)
            #expect(wrong == 401)
            let (status, answer) = try await gateway.post(
                "/feishu/flow", body: body, headers: ["Authorization": "Bearer \(GatewayHarness.flowToken)"])
            #expect(status == 200)
            #expect(answer.contains(gateway.issue.uuid))
            #expect(answer.contains("cmd_"))
            try await eventually("the flow's reply was written") { gateway.replies().count == 1 }
            #expect(gateway.replies().first?.content == "from the flow")
        }
    }

    @Test func anUnknownIssueWritesNothingAndSaysSoInTheChat() async throws {
        try await withGateway { gateway in
            let answer = try await gateway.sender.sendMessage(
                text: "@_user_1 #issue_unknown#x", messageID: "om_unknown")
            #expect(answer.status == 200)
            let empty = try await gateway.sender.sendMessage(
                text: "@_user_1 #\(gateway.issue.uuid)#   ", messageID: "om_empty")
            #expect(empty.status == 200)
            try await eventually("both answered in chat") {
                let ids = Set(gateway.feishu.replies.map(\.messageID))
                return ids.contains("om_unknown") && ids.contains("om_empty")
            }
            let unknown = gateway.feishu.replies.first { $0.messageID == "om_unknown" }?.text ?? ""
            #expect(unknown.contains("issue issue_unknown does not exist"))
            let emptyText = gateway.feishu.replies.first { $0.messageID == "om_empty" }?.text ?? ""
            #expect(emptyText.contains("empty"))
            #expect(gateway.replies().isEmpty)
            #expect(gateway.guance.replies(issueUUID: "issue_unknown").isEmpty)
        }
    }
}

func consumerSettings(_ gateway: GatewayHarness, group: String, topics: [String]) -> KafkaConsumerSettings {
    var settings = KafkaConsumerSettings(
        client: KafkaClientSettings(bootstrapServers: gateway.cluster.bootstrapServers), groupID: group, topics: topics)
    GatewayHarness.tune(&settings)
    return settings
}

/// A reader of every partition of `topics` from their start, by assignment: no group join, which the mock cluster
/// holds for 3 s (group members are what the writer's own tests are about, not a test's readers).
func topicReader(_ gateway: GatewayHarness, topics: [String]) throws -> KafkaConsumerClient {
    let counts = Dictionary(Topics.all(partitions: GatewayHarness.partitions).map { ($0.name, $0.partitions) }) { $1 }
    var assignment: [KafkaTopicPartition: Int64] = [:]
    for topic in topics {
        for partition in 0..<Int32(counts[topic] ?? 1) {
            assignment[KafkaTopicPartition(topic: topic, partition: partition)] = KafkaConsumerClient.offsetBeginning
        }
    }
    return try KafkaConsumerClient(
        settings: consumerSettings(gateway, group: "reader-\(UUID().uuidString.prefix(8))", topics: topics),
        assignment: assignment, logger: gatewayTestLogger)
}
