import DevStack
import Events
import Foundation
import Testing

@testable import Notifier

/// The Feishu app sink against the Feishu fake (strict where Feishu is strict) and a mock cluster: one card per
/// issue, updated in place, replies in its thread, a successor card past the update window, another instance (or a
/// restarted one) updates the card the first one sent, and the limits hold.
@Suite("Feishu app sink: live cards", .timeLimit(.minutes(2)))
struct FeishuAppSinkTests {
    /// Issue 1's event `id`; `actor` is who clicked (the reply writer's events name them, the poller's do not).
    static func event(_ kind: IssueEvent.Kind, status: Int = 10, id: String, by actor: String? = nil) -> IssueEvent {
        var event = makeEvent(1, kind: kind)
        event.eventId = id
        event.issue.statusType = status
        event.actor = actor.map { IssueEvent.Person(name: $0) }
        return event
    }

    @Test func oneCardPerIssueUpdatedInPlaceWithRepliesInItsThread() async throws {
        try await FeishuAppHarness.run { harness in
            let sink = harness.sink()
            #expect(await sink.deliver(Self.event(.created, id: "e-created")) == .delivered)
            #expect(await sink.deliver(Self.event(.updated, status: 20, id: "e-resolved")) == .delivered)
            #expect(await sink.deliver(Self.event(.reply, id: "e-reply")) == .delivered)

            let cards = harness.cards
            #expect(cards.count == 1)
            let card = try #require(cards.first)
            #expect(card.patches.count == 1)
            #expect(card.content.contains("Resolved"))
            #expect(card.content.contains("\"action\":\"reopen\""))
            #expect(!card.content.contains("\"action\":\"resolve\""))
            #expect(card.threadReplies.count == 1)
            let reply = try #require(harness.simulator.chats.message(card.threadReplies[0]))
            #expect(reply.content.contains("alice: looking into it"))
            #expect(harness.simulator.chats.rejectionsByCode.isEmpty)
        }
    }

    @Test func aRedeliveredEventPostsNothingTwice() async throws {
        try await FeishuAppHarness.run { harness in
            let sink = harness.sink()
            for _ in 0..<3 { #expect(await sink.deliver(Self.event(.created, id: "e-created")) == .delivered) }
            for _ in 0..<3 { #expect(await sink.deliver(Self.event(.reply, id: "e-reply")) == .delivered) }
            #expect(harness.cards.count == 1)
            #expect(harness.cards.first?.threadReplies.count == 1)
        }
    }

    @Test func thePollersRepeatOfACardActionKeepsTheClickersName() async throws {
        try await FeishuAppHarness.run { harness in
            let sink = harness.sink()
            #expect(await sink.deliver(Self.event(.created, id: "e-created")) == .delivered)
            // The writer's issue.updated (with who clicked), then the poller's of the same change (same id, no actor).
            #expect(await sink.deliver(Self.event(.updated, status: 20, id: "e-resolved", by: "张三")) == .delivered)
            #expect(await sink.deliver(Self.event(.updated, status: 20, id: "e-resolved")) == .delivered)
            #expect(harness.cards.first?.patches.count == 1)
            #expect(harness.cards.first?.content.contains("已解决 · 张三") == true)
            // The poller's first: the writer's, which adds the name, still patches; a later change patches too.
            #expect(await sink.deliver(Self.event(.updated, status: 10, id: "e-reopened")) == .delivered)
            #expect(await sink.deliver(Self.event(.updated, status: 10, id: "e-reopened", by: "李四")) == .delivered)
            #expect(harness.cards.first?.patches.count == 3)
            #expect(harness.cards.first?.content.contains("待处理 · 李四") == true)
        }
    }

    /// Two clicks in a row (resolve at T, reopen at T+1) and the poller's copies of both arriving after the second
    /// (writer and poller publish independently): the card stays at the newest state with the clicker's name, also
    /// when both clicks fell into the same second (same `updateAt`).
    @Test(arguments: [Int64(1), 0])
    func thePollersLateCopiesNeitherTurnTheCardBackNorEraseTheName(secondsBetweenClicks: Int64) async throws {
        try await FeishuAppHarness.run { harness in
            let sink = harness.sink()
            #expect(await sink.deliver(Self.event(.created, id: "e-created")) == .delivered)
            func change(_ status: Int, at updateAt: Int64, by actor: String?) -> IssueEvent {
                var event = Self.event(
                    .updated, status: status, id: "issue_1:updated:\(updateAt):\(status):3", by: actor)
                event.issue.updateAt = updateAt
                return event
            }
            let first: Int64 = 1_796_217_912
            let second = first + secondsBetweenClicks
            #expect(await sink.deliver(change(20, at: first, by: "张三")) == .delivered)
            #expect(await sink.deliver(change(10, at: second, by: "张三")) == .delivered)
            #expect(await sink.deliver(change(20, at: first, by: nil)) == .delivered)
            #expect(await sink.deliver(change(10, at: second, by: nil)) == .delivered)
            let card = try #require(harness.cards.first)
            #expect(card.content.contains("Status: Open"), "\(card.content)")
            #expect(card.content.contains("待处理 · 张三"), "\(card.content)")
            #expect(card.patches.count == 2)
            // A later change the poller saw (no actor, newer) is shown.
            #expect(await sink.deliver(change(20, at: second + 1, by: nil)) == .delivered)
            #expect(harness.cards.first?.content.contains("Status: Resolved") == true)
        }
    }

    /// Acknowledge right after a Reopen, in the same second: the same status and level, so the same event id as the
    /// Reopen's; the card still shows the new assignee.
    @Test func anAcknowledgeInTheSecondOfThePreviousClickStillShowsTheAssignee() async throws {
        try await FeishuAppHarness.run { harness in
            let sink = harness.sink()
            #expect(await sink.deliver(Self.event(.created, id: "e-created")) == .delivered)
            let reopened = Self.event(.updated, status: 10, id: "issue_1:updated:1796217913:10:3", by: "张三")
            #expect(await sink.deliver(reopened) == .delivered)
            var acknowledged = reopened
            acknowledged.issue.assignees = [IssueEvent.Person(name: "张三", email: "zhangsan@example.com")]
            #expect(await sink.deliver(acknowledged) == .delivered)
            #expect(harness.cards.first?.content.contains("Assignee 负责人: 张三") == true)
            // Its repeat (redelivered) patches nothing.
            #expect(await sink.deliver(acknowledged) == .delivered)
            #expect(harness.cards.first?.patches.count == 2)
        }
    }

    @Test func anotherInstanceUpdatesTheCardTheFirstOneSent() async throws {
        try await FeishuAppHarness.run { harness in
            #expect(await harness.sink().deliver(Self.event(.created, id: "e-created")) == .delivered)
            let original = try #require(harness.cards.first?.messageID)
            // A new instance (a restart, or the partition's new owner) knows the card only from the topic.
            let successor = harness.sink()
            #expect(await successor.deliver(Self.event(.updated, status: 20, id: "e-resolved")) == .delivered)
            #expect(harness.cards.map(\.messageID) == [original])
            #expect(harness.cards.first?.patches.count == 1)
        }
    }

    @Test func aCardPastTheUpdateWindowGetsASuccessor() async throws {
        try await FeishuAppHarness.run { harness in
            let sink = harness.sink()
            #expect(await sink.deliver(Self.event(.created, id: "e-created")) == .delivered)
            let first = try #require(harness.cards.first?.messageID)
            // Feishu refuses the update (230031): the sink sends a new card and records it.
            harness.simulator.chats.age(first, by: 15 * 86_400)
            #expect(await sink.deliver(Self.event(.updated, status: 15, id: "e-working")) == .delivered)
            #expect(harness.cards.count == 2)
            #expect(harness.simulator.chats.rejectionsByCode[230_031] == 1)
            // The next update patches the successor, also from another instance.
            #expect(await harness.sink().deliver(Self.event(.updated, status: 20, id: "e-resolved")) == .delivered)
            #expect(harness.cards.last?.patches.count == 1)
            // A sink whose clock says the card is 15 days old does not even try the update.
            let later = harness.sink(now: { Date().addingTimeInterval(15 * 86_400) })
            #expect(await later.deliver(Self.event(.updated, status: 10, id: "e-reopened")) == .delivered)
            #expect(harness.cards.count == 3)
            #expect(harness.simulator.chats.rejectionsByCode[230_031] == 1)
        }
    }

    @Test func aReplyToAnUnknownIssueStartsACardAndItsThread() async throws {
        try await FeishuAppHarness.run { harness in
            #expect(await harness.sink().deliver(Self.event(.reply, id: "e-reply")) == .delivered)
            #expect(harness.cards.count == 1)
            #expect(harness.cards.first?.threadReplies.count == 1)
        }
    }

    /// A Guance reply is plain text in the thread: no mention (`<at user_id="all">`) and no auto-linked address forms.
    @Test func aHostileReplyIsInertTextInTheThread() async throws {
        try await FeishuAppHarness.run { harness in
            var event = Self.event(.reply, id: "e-hostile")
            event.reply?.content = "<at user_id=\"all\">所有人</at> see https://evil.example"
            event.reply?.creator?.name = "<at id=all></at>"
            #expect(await harness.sink().deliver(event) == .delivered)
            let card = try #require(harness.cards.first)
            let reply = try #require(harness.simulator.chats.message(card.threadReplies.first ?? ""))
            let text = try #require(
                (try JSONSerialization.jsonObject(with: Data(reply.content.utf8)) as? [String: String])?["text"])
            #expect(!text.contains("<at"))
            #expect(!text.contains("https://evil"))
            #expect(text.replacingOccurrences(of: "\u{2060}", with: "").contains("所有人</at> see https://evil.example"))
        }
    }

    @Test func thePlatformRateLimitPausesTheAppForItsResetTime() async throws {
        try await FeishuAppHarness.run { harness in
            let sink = harness.sink()
            harness.simulator.chats.forceRateLimit(calls: 1)
            let outcome = await sink.deliver(Self.event(.created, id: "e-created"))
            guard case .rateLimited(let reason, _) = outcome else {
                Issue.record("expected rate limited, got \(outcome)")
                return
            }
            #expect(reason.contains("99991400"))
            #expect(await sink.deliver(Self.event(.created, id: "e-created")) == .delivered)
            #expect(harness.cards.count == 1)
        }
    }

    @Test func updatesUnderAStormStayInsideThePerMessageAndPerChatLimits() async throws {
        try await FeishuAppHarness.run { harness in
            let sink = harness.sink()
            #expect(await sink.deliver(Self.event(.created, id: "e-created")) == .delivered)
            // 12 updates of one card and 12 new cards at once: Feishu allows 5 per second per message and per chat.
            let outcomes = await withTaskGroup(of: SendOutcome.self) { group in
                for n in 0..<12 {
                    group.addTask { await sink.deliver(Self.event(.updated, status: 15, id: "e-update-\(n)")) }
                    group.addTask {
                        var event = makeEvent(100 + n)
                        event.eventId = "e-new-\(n)"
                        return await sink.deliver(event)
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.allSatisfy { $0 == .delivered })
            #expect(harness.simulator.chats.rejectionsByCode.isEmpty)
            #expect(harness.cards.count == 13)
            #expect(harness.cards.first?.patches.count == 12)
        }
    }
}
