import Crypto
import Events
import FeishuKit
import Foundation
import KafkaClient
import Logging

/// Delivers issue events to one Feishu chat as live cards sent by the app (docs/feishu-app.md):
/// - `issue.created`: a JSON 2.0 card, sent with a `uuid` derived from the sink and the event id (a redelivery
///   cannot post twice within Feishu's hour), recorded as ChatMessage v1 in `guance.chat-messages`;
/// - `issue.updated`: the same card replaced with the issue as it is now;
/// - `issue.reply`: a text reply in the card's thread, starting with the author's name;
/// - a card that is unknown, past Feishu's 14-day update window or recalled: a new card (and a new record).
/// Calls are paced by `FeishuAppPacer`; a rate-limit answer pauses the app for the reset time it names.
struct FeishuAppSink: Sendable {
    let name: String
    let chatID: String
    let client: FeishuMessagesClient
    let store: ChatMessageStore
    let pacer: FeishuAppPacer
    let logger: Logger
    /// The event each card shows, so the poller's repeat of a card action's change does not patch it again.
    var applied = AppliedCardEvents()
    var now: @Sendable () -> Date = { Date() }

    /// Feishu accepts updates of a message for 14 days; a card this old gets a successor instead (an hour of margin).
    static let updateWindow: TimeInterval = 14 * 86_400 - 3600

    /// Delivers one event and says how it went (retryable and rate-limited outcomes are worth another attempt).
    func deliver(_ event: IssueEvent) async -> SendOutcome {
        let started = ContinuousClock.now
        defer {
            logger.debug(
                "card event handled",
                metadata: [
                    LogKey.issueUUID: "\(event.issue.uuid)", "kind": "\(event.kind.rawValue)",
                    "duration": "\(ContinuousClock.now - started)",
                ])
        }
        do {
            try await handle(event)
            return .delivered
        } catch let error as FeishuAPIError {
            return Self.classify(error)
        } catch let error as ChatMessageStore.StoreError {
            return .retryable(reason: "\(error)")
        } catch {
            return .retryable(reason: "\(error)")
        }
    }

    private func handle(_ event: IssueEvent) async throws {
        let issue = event.issue.uuid
        var card = store.message(sink: name, issueUUID: issue)
        if card == nil { card = try await store.currentMessage(sink: name, issueUUID: issue) }
        switch event.kind {
        case .created, .updated:
            if applied.isRepeat(event) {
                logger.debug("card already shows this event", metadata: [LogKey.eventID: "\(event.eventId)"])
                return
            }
            if let card, isUpdatable(card) {
                if try await update(card, with: event) { return }
                // Past the window or recalled: another instance may already have sent the successor.
                if let newer = try await store.currentMessage(sink: name, issueUUID: issue),
                    newer.messageId != card.messageId, isUpdatable(newer), try await update(newer, with: event)
                {
                    return
                }
            }
            _ = try await sendCard(event)
        case .reply:
            let root: ChatMessage
            if let card { root = card } else { root = try await sendCard(event) }
            try await reply(event, in: root)
        }
    }

    /// Replaces the card; false when Feishu says it can no longer be updated (past 14 days, recalled).
    private func update(_ card: ChatMessage, with event: IssueEvent) async throws -> Bool {
        let content = IssueCard(event: event).json()
        try await pacer.acquire(.update(message: card.messageId))
        do throws(FeishuAPIError) {
            try await client.patchCard(messageID: card.messageId, card: content)
            await pacer.release(.update(message: card.messageId))
            applied.record(event)
            return true
        } catch {
            await pacer.release(.update(message: card.messageId))
            if [FeishuMessageCode.updateWindowPassed, FeishuMessageCode.recalled].contains(error.code) {
                logger.info(
                    "card can no longer be updated; sending a new one",
                    metadata: [LogKey.issueUUID: "\(card.issueUUID)", LogKey.error: "\(error)"])
                return false
            }
            throw await paused(error)
        }
    }

    private func sendCard(_ event: IssueEvent) async throws -> ChatMessage {
        try await pacer.acquire(.post(chat: chatID))
        let sent: FeishuMessagesClient.SentMessage
        do throws(FeishuAPIError) {
            sent = try await client.sendCard(
                chatID: chatID, card: IssueCard(event: event).json(), uuid: Self.uuid("card", name, event.eventId))
            await pacer.release(.post(chat: chatID))
        } catch {
            await pacer.release(.post(chat: chatID))
            throw await paused(error)
        }
        let message = ChatMessage(
            sink: name, chatId: chatID, messageId: sent.messageID, issueUUID: event.issue.uuid,
            sentAt: EventCoding.rfc3339(now()), lastEventId: event.eventId)
        try await store.record(message)
        applied.record(event)
        return message
    }

    private func reply(_ event: IssueEvent, in card: ChatMessage) async throws {
        guard let reply = event.reply else { return }
        let author = reply.creator?.name ?? "Guance"
        let text = FeishuMarkup.plainText("\(author): \(reply.content)")
        try await pacer.acquire(.post(chat: card.chatId))
        do throws(FeishuAPIError) {
            _ = try await client.replyInThread(
                to: card.messageId, text: text, uuid: Self.uuid("reply", name, event.eventId))
            await pacer.release(.post(chat: card.chatId))
        } catch {
            await pacer.release(.post(chat: card.chatId))
            throw await paused(error)
        }
    }

    private func isUpdatable(_ card: ChatMessage) -> Bool {
        guard let sent = EventCoding.unixSeconds(rfc3339: card.sentAt) else { return false }
        return now().timeIntervalSince(Date(timeIntervalSince1970: TimeInterval(sent))) < Self.updateWindow
    }

    /// A rate-limit answer pauses every call of the app for the reset time Feishu named.
    private func paused(_ error: FeishuAPIError) async -> FeishuAPIError {
        if case .rateLimited(_, _, let retryAfter) = error { await pacer.pause(for: retryAfter) }
        return error
    }

    /// A Feishu `uuid` (at most 50 characters) for a call about an event at this sink: the same inputs give the same
    /// value, so a redelivered event's call is performed at most once within Feishu's hour.
    static func uuid(_ purpose: String, _ sink: String, _ eventID: String) -> String {
        let digest = SHA256.hash(data: Data("\(purpose)\n\(sink)\n\(eventID)".utf8))
        return purpose.prefix(1) + "-" + digest.map { String(format: "%02x", $0) }.joined().prefix(40)
    }

    /// How a failed call counts: the platform's and the chat's frequency limits are rate limits; transport errors,
    /// 5xx and "being sent" are worth another attempt; anything else Feishu refused is permanent.
    static func classify(_ error: FeishuAPIError) -> SendOutcome {
        switch error {
        case .rateLimited: return .rateLimited(reason: "\(error)")
        case .transport: return .retryable(reason: "\(error)")
        case .badResponse(_, let status, _):
            return status >= 500 || status == 0 ? .retryable(reason: "\(error)") : .rejected(reason: "\(error)")
        case .api(_, let status, let code, _):
            if code == FeishuMessageCode.frequencyLimit { return .rateLimited(reason: "\(error)") }
            if code == FeishuMessageCode.beingSent || status >= 500 { return .retryable(reason: "\(error)") }
            return .rejected(reason: "\(error)")
        }
    }
}
