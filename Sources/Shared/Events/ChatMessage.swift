/// `guance.chat-message/v1`: where the chat message that shows an issue lives, so any notifier instance can update
/// it. Published by the notifier to the compacted topic `guance.chat-messages`, keyed by `key(sink:issueUUID:)`; the
/// newest record of a key is the card to patch and the thread to reply in.
public struct ChatMessage: Codable, Sendable, Equatable {
    public static let schemaV1 = "guance.chat-message/v1"

    public var schema: String
    /// The notifier sink that sent the message (a name from the configuration or the routes file).
    public var sink: String
    /// The chat the message was sent to (Feishu `oc_…`).
    public var chatId: String
    /// The platform's id of the message (Feishu `om_…`).
    public var messageId: String
    public var issueUUID: String
    /// RFC 3339 time the message was sent: the platform's update window counts from here.
    public var sentAt: String
    /// The event the message shows now (the last one sent or patched into it).
    public var lastEventId: String

    public init(sink: String, chatId: String, messageId: String, issueUUID: String, sentAt: String, lastEventId: String)
    {
        self.schema = Self.schemaV1
        self.sink = sink
        self.chatId = chatId
        self.messageId = messageId
        self.issueUUID = issueUUID
        self.sentAt = sentAt
        self.lastEventId = lastEventId
    }

    /// The record key: `<sink>/<issue uuid>`.
    public static func key(sink: String, issueUUID: String) -> String { "\(sink)/\(issueUUID)" }

    public var key: String { Self.key(sink: sink, issueUUID: issueUUID) }
}
