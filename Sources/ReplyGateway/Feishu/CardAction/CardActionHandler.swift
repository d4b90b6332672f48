import Events
import Foundation
import KafkaClient
import Logging
import ServiceKit

/// Turns a verified card click into a published `IssueAction` and the toast that answers it. Transport-free: the
/// webhook route (`FeishuEventHandler`, after its signature, decryption and token checks) and the long connection
/// call `handle(_:eventID:)` with the decoded callback; whoever calls it has authenticated the callback.
///
/// The toast says "submitted" only after Kafka acknowledged the action; the card itself changes when the writer has
/// modified the issue. A repeated event id is answered without publishing again (the writer dedupes as well).
/// Acknowledge needs the clicker's Guance account: without one the click is refused in the toast and in the card's
/// thread, and nothing is published.
struct CardActionHandler: Sendable {
    let publisher: any IssueActionPublisher
    let identities: (any ChatIdentityResolver)?
    let notices: NoticeQueue?
    let logger: Logger
    /// How long the directory lookup may take before the click goes on without a name (the whole answer must
    /// reach Feishu within 3 s; the publish timeout takes most of the rest).
    var identityBudget: Duration = .milliseconds(800)
    var now: @Sendable () -> Date = { Date() }
    let accepted: EventIDCache

    static let eventType = "card.action.trigger"

    init(
        publisher: any IssueActionPublisher, identities: (any ChatIdentityResolver)?, notices: NoticeQueue?,
        dedupeCapacity: Int = 50_000, logger: Logger
    ) {
        self.publisher = publisher
        self.identities = identities
        self.notices = notices
        self.logger = logger
        self.accepted = EventIDCache(capacity: dedupeCapacity)
    }

    /// Answers one authenticated click. `eventID` is the callback's `header.event_id`.
    func handle(_ click: FeishuCardAction, eventID: String) async -> CardActionAnswer {
        var log = logger
        log[metadataKey: LogKey.eventID] = "\(eventID)"
        guard let value = click.action?.value, let name = value.action,
            let action = IssueAction.Action(rawValue: name), let issueUUID = value.issueUUID,
            CommandText.isIssueUUID(issueUUID)
        else {
            log.info("card click without an issue action ignored")
            return .notAnAction
        }
        log[metadataKey: LogKey.issueUUID] = "\(issueUUID)"
        let verb = Self.verb(action)
        let commandID = CommandIntake.commandID(platform: "feishu", eventID: eventID)
        log[metadataKey: LogKey.commandID] = "\(commandID)"
        if accepted.contains(commandID) {
            log.info("repeated card click answered without publishing again")
            return .duplicate(verb)
        }
        guard let openID = click.clicker?.openID ?? click.clicker?.userID, !openID.isEmpty, openID.count <= 256 else {
            log.info("card click without an operator id refused")
            return .unknownClicker
        }
        let person = await identify(openID)
        let origin = ReplyCommand.Origin(
            platform: "feishu", eventId: eventID, messageId: click.context?.openMessageID,
            chatId: click.context?.openChatID, senderId: openID, senderName: person.name)
        if action == .acknowledge && person.email == nil {
            log.info("acknowledge by a person without a known Guance account refused")
            notices?.send(Self.unmappedNotice(person.name), to: origin, key: commandID)
            return .unmapped
        }
        let issueAction = IssueAction(
            commandId: commandID, issueUUID: issueUUID, action: action,
            actor: IssueAction.Actor(platform: "feishu", id: openID, name: person.name, email: person.email),
            requestedAt: EventCoding.rfc3339(now()), origin: origin)
        let traceparent = Traceparent.newTrace()
        do {
            try await publisher.publish(issueAction, traceparent: traceparent)
        } catch {
            log.tracing(traceparent).warning(
                "issue action not acknowledged by Kafka", metadata: [LogKey.error: "\(error)"])
            return .unavailable
        }
        accepted.insert(commandID)
        log.tracing(traceparent).info("issue action published", metadata: ["action": "\(action.rawValue)"])
        return .accepted(verb)
    }

    /// The directory's answer, or nothing if it takes longer than `identityBudget`.
    private func identify(_ openID: String) async -> ChatIdentity {
        guard let identities else { return ChatIdentity() }
        let budget = identityBudget
        return await withTaskGroup(of: ChatIdentity?.self) { group in
            group.addTask { await identities.identity(openID: openID) }
            group.addTask {
                try? await Task.sleep(for: budget)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? ChatIdentity()
        }
    }

    static func verb(_ action: IssueAction.Action) -> (chinese: String, english: String) {
        switch action {
        case .acknowledge: ("认领", "acknowledge")
        case .resolve: ("已解决", "resolve")
        case .reopen: ("重新打开", "reopen")
        }
    }

    static func unmappedNotice(_ name: String?) -> String {
        let who = name.map { "\($0)：" } ?? ""
        return "\(who)找不到你的观测云账号，Issue 未认领。请管理员在 IDENTITY_FILE 中把你的飞书账号映射到观测云账号邮箱。"
            + " / \(name.map { "\($0): " } ?? "")no Guance account is known for you, so the issue was not assigned;"
            + " ask an admin to map your Feishu account to your Guance account e-mail in IDENTITY_FILE."
    }
}
