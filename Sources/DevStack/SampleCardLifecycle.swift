import Foundation
import GuanceAPI
import Logging
import ServiceLifecycle

/// For `make run`: once the notifier's Feishu app sink has sent the sample issue's card, writes a reply in the Guance
/// simulator (it appears in the card's thread) and then resolves the issue (the same card turns green), logging each
/// step. Every wait is bounded; nothing happens when no card comes (no notifier with the app sink).
struct SampleCardLifecycle: Service {
    let chats: FeishuChatStore
    let chatID: String
    let guance: GuanceSimulator
    let issueUUID: String
    let logger: Logger

    func run() async throws {
        do {
            let sent = try await waitFor("the sample card", timeout: .seconds(300)) { card(where: { _ in true }) }
            logger.notice("card sent to the Feishu chat", metadata: ["message_id": "\(sent.messageID)"])
            _ = guance.addReply(
                issueUUID: issueUUID, content: "Looking into it (sample reply from dev-stack)", extend: .emptyObject,
                creatorName: "console-user")
            let replied = try await waitFor("the thread reply", timeout: .seconds(120)) {
                card(where: { !$0.threadReplies.isEmpty })
            }
            logger.notice("Guance reply posted in the card's thread", metadata: ["message_id": "\(replied.messageID)"])
            guance.setStatus(issueUUID: issueUUID, statusType: 20)
            let resolved = try await waitFor("the resolved card", timeout: .seconds(120)) {
                card(where: { $0.content.contains("Resolved") })
            }
            logger.notice(
                "card updated in place: resolved",
                metadata: ["message_id": "\(resolved.messageID)", "updates": "\(resolved.patches.count)"])
        } catch {
            logger.notice("sample card lifecycle did not complete", metadata: ["error": "\(error)"])
        }
        try? await gracefulShutdown()
    }

    /// The sample issue's card (its buttons carry the issue uuid), if it matches.
    private func card(where condition: (FeishuChatStore.Message) -> Bool) -> FeishuChatStore.Message? {
        chats.messages(chat: chatID).first {
            $0.rootID == nil && $0.content.contains("\"issueUUID\":\"\(issueUUID)\"") && condition($0)
        }
    }

    private func waitFor(
        _ what: String, timeout: Duration, _ find: () -> FeishuChatStore.Message?
    ) async throws -> FeishuChatStore.Message {
        var found: FeishuChatStore.Message?
        try await eventually(timeout: timeout, interval: .milliseconds(500), what) {
            if Task.isShuttingDownGracefully { throw CancellationError() }
            found = find()
            return found != nil
        }
        return found!
    }
}
