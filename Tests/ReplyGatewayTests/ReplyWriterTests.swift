import DevStack
import Events
import Foundation
import GuanceAPI
import KafkaClient
import Testing

@testable import ReplyGateway

@Suite("Reply writer against the Guance simulator", .serialized, .timeLimit(.minutes(2)))
struct ReplyWriterTests {
    @Test func aTimedOutCreateThatTheServerExecutedIsNotWrittenTwice() async throws {
        try await withGateway(guanceTimeout: .seconds(1)) { gateway in
            // The server answers after the client gave up, but it does create the reply.
            gateway.guance.injectFault(.delay(.milliseconds(1500)), endpoint: "reply_create", count: 1)
            let answer = try await gateway.sender.sendMessage(
                text: "@_user_1 #\(gateway.issue.uuid)#slow server", messageID: "om_slow")
            #expect(answer.status == 200)
            try await eventually(timeout: .seconds(30), "confirmed") {
                gateway.feishu.replies.contains { $0.messageID == "om_slow" }
            }
            #expect(gateway.replies().count == 1)
            #expect(gateway.feishu.replies.first { $0.messageID == "om_slow" }?.text.contains("reply added") == true)
        }
    }

    @Test func aServerErrorBeforeWritingIsRetriedAndWrittenOnce() async throws {
        try await withGateway { gateway in
            gateway.guance.injectFault(.status(503, errorCode: "ft.Unavailable"), endpoint: "reply_create", count: 1)
            let answer = try await gateway.sender.sendMessage(
                text: "@_user_1 #\(gateway.issue.uuid)#after a 503", messageID: "om_503")
            #expect(answer.status == 200)
            try await eventually(timeout: .seconds(30), "confirmed") {
                gateway.feishu.replies.contains { $0.messageID == "om_503" }
            }
            #expect(gateway.replies().map(\.content) == ["after a 503"])
        }
    }

    @Test func contentOverTheLimitIsRejectedWithTheReason() async throws {
        try await withGateway { gateway in
            let long = String(repeating: "长", count: 65_536)
            let answer = try await gateway.sender.sendMessage(
                text: "@_user_1 #\(gateway.issue.uuid)#\(long)", messageID: "om_long")
            #expect(answer.status == 200)
            try await eventually("answered") { gateway.feishu.replies.contains { $0.messageID == "om_long" } }
            let text = gateway.feishu.replies.first { $0.messageID == "om_long" }?.text ?? ""
            #expect(text.contains("65,535"))
            #expect(gateway.replies().isEmpty)
        }
    }
}

extension ReplyWriterTests {
    @Test func anUndecodableCommandIsDeadLetteredAndTheNextOneIsWritten() async throws {
        try await withGateway { gateway in
            _ = try await gateway.producer.send(
                topic: Topics.replyCommands, key: gateway.issue.uuid, value: Array("not json".utf8))
            let answer = try await gateway.sender.sendMessage(
                text: "@_user_1 #\(gateway.issue.uuid)#after the poison", messageID: "om_after")
            #expect(answer.status == 200)
            try await eventually("the next command was written") { gateway.replies().count == 1 }
            let dlq = try topicReader(gateway, topics: [Topics.deadLetter(of: Topics.replyCommands)])
            var parked: KafkaRecord?
            for try await record in dlq.records {
                parked = record
                break
            }
            await dlq.close()
            #expect(parked?.value == Array("not json".utf8))
            #expect(parked?.header(EventHeaders.dlqSourceTopic) == Topics.replyCommands)
            #expect(parked?.header(EventHeaders.dlqReason)?.isEmpty == false)
        }
    }
}

extension ReplyWriterTests {
    @Test func aRejectedAPIKeyFailsTheCommandWithTheReasonAndMakesTheGatewayNotReady() async throws {
        try await withGateway(guanceAPIKey: "not-a-valid-key") { gateway in
            try await eventually("ready") { try await gateway.get("/readyz", metrics: true) == 200 }
            let answer = try await gateway.sender.sendMessage(
                text: "@_user_1 #\(gateway.issue.uuid)#with a bad key", messageID: "om_badkey")
            #expect(answer.status == 200)
            try await eventually("answered") { gateway.feishu.replies.contains { $0.messageID == "om_badkey" } }
            let text = gateway.feishu.replies.first { $0.messageID == "om_badkey" }?.text ?? ""
            #expect(text.contains("could not be written"))
            #expect(text.contains("ft.InvalidAPIKey"))
            #expect(!text.contains("not-a-valid-key"))
            try await eventually("not ready") { try await gateway.get("/readyz", metrics: true) == 503 }
            #expect(gateway.replies().isEmpty)
        }
    }
}

@Suite("Event id cache")
struct EventIDCacheTests {
    @Test func remembersUpToItsCapacityAndForgetsTheOldestFirst() {
        let cache = EventIDCache(capacity: 3)
        #expect(cache.insert("a"))
        #expect(!cache.insert("a"))
        cache.insert("b")
        cache.insert("c")
        cache.insert("d")
        #expect(!cache.contains("a"))
        #expect(cache.contains("b") && cache.contains("c") && cache.contains("d"))
        #expect(cache.count == 3)
    }
}
