import DevStack
import Events
import Foundation
import HTTPTypes
import KafkaClient
import ServiceKit
import Synchronization
import TestSupport
import Testing

@testable import ReplyGateway

/// Records published issue actions; fails while `failing` is set (Kafka down).
final class RecordingActionPublisher: IssueActionPublisher {
    let published = Mutex<[IssueAction]>([])
    let failing = Mutex(false)

    func publish(_ action: IssueAction, traceparent: Traceparent) async throws {
        if failing.withLock({ $0 }) { throw RecordingPublisher.Down() }
        published.withLock { $0.append(action) }
    }

    var actions: [IssueAction] { published.withLock { $0 } }
}

/// A directory that knows a fixed set of people.
struct FixedIdentities: ChatIdentityResolver {
    var people: [String: ChatIdentity]
    func identity(openID: String) async -> ChatIdentity { people[openID] ?? ChatIdentity() }
}

@Suite("Feishu card actions", .timeLimit(.minutes(1)))
struct CardActionHandlerTests {
    let actions = RecordingActionPublisher()
    static let alice = ChatIdentity(name: "Alice", email: "alice@example.com")

    func handler(people: [String: ChatIdentity] = ["ou_alice": alice]) -> FeishuEventHandler {
        var handler = makeFeishuHandler(RecordingPublisher())
        handler.cardActions = CardActionHandler(
            publisher: actions, identities: FixedIdentities(people: people), notices: nil, logger: gatewayTestLogger)
        return handler
    }

    func click(
        _ action: String, issue: String = "issue_abc", openID: String = "ou_alice", eventID: String = "ev_click",
        token: String = TestSecrets.token
    ) -> FeishuSignedRequest {
        FeishuEventFactory.request(
            FeishuEventFactory.cardActionEvent(
                eventID: eventID, token: token, action: action, issueUUID: issue, openID: openID,
                messageID: "om_card"),
            encryptKey: TestSecrets.encryptKey)
    }

    func send(_ handler: FeishuEventHandler, _ request: FeishuSignedRequest) async -> IngressAnswer {
        await handler.handle(headers: httpFields(request.headers), body: request.body)
    }

    func toast(_ answer: IngressAnswer) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(answer.json.utf8)) as? [String: Any]
        return try #require(object?["toast"] as? [String: Any])
    }

    @Test func signedClickPublishesOneIssueActionAndAnswersASuccessToast() async throws {
        let answer = await send(handler(), click("resolve"))
        #expect(answer.status == .ok)
        #expect(try toast(answer)["type"] as? String == "success")
        let action = try #require(actions.actions.first)
        #expect(actions.actions.count == 1)
        #expect(action.schema == "guance.issue-action/v1")
        #expect(action.action == .resolve)
        #expect(action.issueUUID == "issue_abc")
        #expect(
            action.actor
                == IssueAction.Actor(platform: "feishu", id: "ou_alice", name: "Alice", email: "alice@example.com"))
        #expect(action.origin.messageId == "om_card")
        #expect(action.commandId == CommandIntake.commandID(platform: "feishu", eventID: "ev_click"))
    }

    @Test func theSameClickThreeTimesPublishesOnce() async throws {
        let handler = handler()
        for _ in 0..<3 {
            let answer = await send(handler, click("acknowledge"))
            #expect(answer.status == .ok)
            #expect(try toast(answer)["type"] as? String != "error")
        }
        #expect(actions.actions.count == 1)
    }

    @Test func wrongTokenOrTamperedBodyPublishesNothing() async {
        let handler = handler()
        #expect(await send(handler, click("resolve", token: "guessed")).status == .unauthorized)
        var tampered = click("resolve")
        tampered.body[tampered.body.count / 2] ^= 1
        #expect(await send(handler, tampered).status.code >= 400)
        let unsigned = FeishuEventFactory.request(
            FeishuEventFactory.cardActionEvent(
                eventID: "ev_x", token: TestSecrets.token, action: "resolve", issueUUID: "issue_abc"),
            encryptKey: nil)
        #expect(await send(handler, unsigned).status.code >= 400)
        #expect(actions.actions.isEmpty)
    }

    @Test func kafkaDownAnswersAnErrorToastThenTheRetryIsPublished() async throws {
        let handler = handler()
        actions.failing.withLock { $0 = true }
        let first = await send(handler, click("reopen"))
        #expect(first.status == .ok)
        #expect(try toast(first)["type"] as? String == "error")
        #expect(first.outcome == "card_unavailable")
        actions.failing.withLock { $0 = false }
        let retry = await send(handler, click("reopen"))
        #expect(try toast(retry)["type"] as? String == "success")
        #expect(actions.actions.map(\.action) == [.reopen])
    }

    @Test func acknowledgeByAnUnmappedPersonIsRefusedAndNotPublished() async throws {
        let handler = handler(people: ["ou_bob": ChatIdentity(name: "Bob", email: nil)])
        let answer = await send(handler, click("acknowledge", openID: "ou_bob"))
        #expect(answer.outcome == "card_refused")
        #expect((try toast(answer)["content"] as? String)?.contains("IDENTITY_FILE") == true)
        #expect(actions.actions.isEmpty)
        // Resolve needs no Guance account: the name is enough to say who did it.
        _ = await send(handler, click("resolve", openID: "ou_bob", eventID: "ev_2"))
        #expect(actions.actions.map(\.actor.name) == ["Bob"])
    }

    @Test func buttonsThatAreNotIssueActionsPublishNothing() async {
        let handler = handler()
        for (index, (action, issue)) in [("delete", "issue_abc"), ("resolve", "issue_a#b"), ("resolve", "")]
            .enumerated()
        {
            let answer = await send(handler, click(action, issue: issue, eventID: "ev_\(index)"))
            #expect(answer.status == .ok)
            #expect(answer.outcome == "card_refused")
        }
        #expect(actions.actions.isEmpty)
    }

    @Test func aSlowDirectoryDoesNotHoldTheAnswer() async throws {
        struct Slow: ChatIdentityResolver {
            func identity(openID: String) async -> ChatIdentity {
                try? await Task.sleep(for: .seconds(30))
                return ChatIdentity(name: "late", email: "late@example.com")
            }
        }
        var handler = makeFeishuHandler(RecordingPublisher())
        var cards = CardActionHandler(publisher: actions, identities: Slow(), notices: nil, logger: gatewayTestLogger)
        cards.identityBudget = .milliseconds(100)
        handler.cardActions = cards
        let started = ContinuousClock.now
        let answer = await send(handler, click("resolve"))
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(answer.outcome == "card_accepted")
        #expect(actions.actions.first?.actor.name == nil)
    }
}
