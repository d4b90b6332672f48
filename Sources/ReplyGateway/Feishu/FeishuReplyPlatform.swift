import Events
import FeishuKit

/// Feishu: callbacks on `/feishu/events` (`FeishuEventHandler`); answers are replies to the person's message, in its
/// thread, through the app API (`uuid` = `key`, so a repeated answer is sent once).
struct FeishuReplyPlatform: ChatReplyPlatform {
    static let platform = ReplyPlatform.feishu
    static let path = "/feishu/events"
    static let requiredSetting = "Feishu events"

    /// nil without app credentials: answers are then skipped with that reason.
    let app: FeishuAppClient?

    func respond(_ text: String, to origin: ReplyCommand.Origin, key: String) async throws -> ChatDelivery {
        guard let app else { return .skipped("no Feishu app credentials (FEISHU_APP_ID/FEISHU_APP_SECRET)") }
        guard let messageID = origin.messageId else { return .skipped("no message to answer") }
        try await app.reply(to: messageID, text: text, uuid: key)
        return .sent
    }
}
