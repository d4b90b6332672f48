import DevStack
import Foundation
import Synchronization
import Testing

@testable import FeishuKit
@testable import Notifier

/// The app messages client and the fake's rules: `uuid` idempotency, update_multi, 2.0 never back to 1.0, 30 KB,
/// the rate-limit reset header, and answers from a hostile server that never trap.
@Suite("Feishu app messages client and the fake's rules", .timeLimit(.minutes(1)))
struct FeishuMessagesClientTests {
    static let card2 = #"{"schema":"2.0","config":{"update_multi":true},"body":{"elements":[]}}"#
    static let card1Shared = #"{"config":{"update_multi":true},"elements":[]}"#
    static let card1 = #"{"elements":[]}"#

    @Test func sendsAreIdempotentByUUIDAndRepliesGoToTheThread() async throws {
        try await FeishuAppHarness.run { harness in
            let client = harness.sink().client
            let first = try await client.sendCard(chatID: "oc_x", card: Self.card2, uuid: "u-1")
            let again = try await client.sendCard(chatID: "oc_x", card: Self.card2, uuid: "u-1")
            #expect(first.messageID == again.messageID)
            let reply = try await client.replyInThread(to: first.messageID, text: "hi", uuid: "r-1")
            #expect(reply.threadID != nil)
            _ = try await client.replyInThread(to: first.messageID, text: "hi", uuid: "r-1")
            let messages = harness.simulator.chats.messages(chat: "oc_x")
            #expect(messages.count == 2)
            #expect(messages.first?.threadReplies == [reply.messageID])
            #expect(harness.simulator.chats.message(reply.messageID)?.rootID == first.messageID)
        }
    }

    @Test func theFakeIsStrictWhereFeishuIsStrict() throws {
        let chats = FeishuChatStore()
        let v2 = try chats.send(chat: "c", msgType: "interactive", content: Self.card2, uuid: nil)
        #expect(throws: FeishuChatStore.Rejection(400, 230_001, "a JSON 2.0 card cannot become 1.0")) {
            try chats.patch(v2.messageID, content: Self.card1Shared)
        }
        let v1 = try chats.send(chat: "c", msgType: "interactive", content: Self.card1, uuid: nil)
        #expect(throws: FeishuChatStore.Rejection.self) { try chats.patch(v1.messageID, content: Self.card1Shared) }
        let big =
            #"{"schema":"2.0","body":{"elements":[{"tag":"div","text":{"tag":"plain_text","content":""#
            + String(repeating: "x", count: 31_000) + #""}}]}}"#
        #expect(throws: FeishuChatStore.Rejection(400, 230_025, "message content too long")) {
            try chats.patch(v2.messageID, content: big)
        }
        #expect(throws: FeishuChatStore.Rejection.self) {
            try chats.send(chat: "d", msgType: "interactive", content: #"{"schema":"2.0","elementz":[]}"#, uuid: nil)
        }
        chats.age(v2.messageID, by: 15 * 86_400)
        #expect(throws: FeishuChatStore.Rejection(400, 230_031, "the message can only be modified within 14 days")) {
            try chats.patch(v2.messageID, content: Self.card2)
        }
        // Five updates per second per message, five messages per second per chat.
        let fresh = try chats.send(chat: "e", msgType: "interactive", content: Self.card2, uuid: nil)
        for _ in 0..<5 { _ = try chats.patch(fresh.messageID, content: Self.card2) }
        #expect(throws: FeishuChatStore.Rejection.self) { try chats.patch(fresh.messageID, content: Self.card2) }
        for _ in 0..<4 { _ = try chats.send(chat: "e", msgType: "interactive", content: Self.card2, uuid: nil) }
        #expect(throws: FeishuChatStore.Rejection.self) {
            try chats.send(chat: "e", msgType: "interactive", content: Self.card2, uuid: nil)
        }
        #expect(chats.rejectionsByCode[230_020] == 2)
    }

    @Test func aUUIDIsForgottenAfterAnHour() throws {
        let clock = Mutex(Date())
        let chats = FeishuChatStore(now: { clock.withLock { $0 } })
        let first = try chats.send(chat: "c", msgType: "interactive", content: Self.card2, uuid: "u")
        clock.withLock { $0.addTimeInterval(3601) }
        let second = try chats.send(chat: "c", msgType: "interactive", content: Self.card2, uuid: "u")
        #expect(first.messageID != second.messageID)
    }

    @Test func theRateLimitResetHeaderSetsTheWait() throws {
        #expect(FeishuOpenAPI.retryAfter(resetHeader: "3") == .seconds(3))
        #expect(FeishuOpenAPI.retryAfter(resetHeader: nil) == .seconds(1))
        #expect(FeishuOpenAPI.retryAfter(resetHeader: "soon") == .seconds(1))
        #expect(FeishuOpenAPI.retryAfter(resetHeader: "1e300") == .seconds(600))
        #expect(FeishuOpenAPI.retryAfter(resetHeader: "-5") == .seconds(1))
        let answer = FeishuOpenAPI.Answer(
            status: 429, body: Data(#"{"code":99991400,"msg":"request trigger frequency limit"}"#.utf8),
            rateLimitReset: "7")
        #expect(throws: FeishuAPIError.rateLimited(path: "/p", code: 99_991_400, retryAfter: .seconds(7))) {
            try FeishuOpenAPI.check(path: "/p", answer)
        }
    }

    /// Whatever a server answers (random bytes, truncated or mutated answers), parsing never traps.
    @Test func hostileAnswersNeverTrap() {
        var generator = SystemRandomNumberGenerator()
        let valid = Array(#"{"code":0,"msg":"ok","data":{"message_id":"om_1","chat_id":"oc_1","thread_id":"t"}}"#.utf8)
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            } else {
                bytes = Array(valid.prefix(Int.random(in: 0...valid.count, using: &generator)))
                if !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255)
                }
            }
            let data = Data(bytes)
            _ = try? FeishuOpenAPI.check(
                path: "/p", .init(status: Int.random(in: 100...599), body: data, rateLimitReset: nil))
            _ = try? FeishuMessagesClient.sentMessage(path: "/p", data)
        }
    }
}
