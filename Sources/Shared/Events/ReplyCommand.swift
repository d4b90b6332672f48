/// `guance.reply-command/v1`: a person asked, from a chat, to add a reply to an issue. Published by the gateway to
/// `guance.reply-commands`, keyed by `issueUUID`. `commandId` derives from the platform's event id, so a repeated
/// callback yields the same command.
public struct ReplyCommand: Codable, Sendable, Equatable {
    public static let schemaV1 = "guance.reply-command/v1"

    /// Where the command came from, so the result can be answered in the same place.
    public struct Origin: Codable, Sendable, Equatable {
        /// The platform the command came from; its raw string on the wire.
        public var platform: ReplyPlatform
        /// The platform's event id (Feishu `header.event_id`, DingTalk `msgId`).
        public var eventId: String
        /// The chat message to answer in (Feishu `message_id`).
        public var messageId: String?
        public var chatId: String?
        public var senderId: String?
        public var senderName: String?
        /// The sender's Guance account e-mail, when known (IDENTITY_FILE or the chat platform's directory).
        public var senderEmail: String?
        /// DingTalk: where to answer, and until when (ms epoch).
        public var sessionWebhook: String?
        public var sessionWebhookExpiresAt: Int64?

        public init(
            platform: ReplyPlatform, eventId: String, messageId: String? = nil, chatId: String? = nil,
            senderId: String? = nil, senderName: String? = nil, sessionWebhook: String? = nil,
            sessionWebhookExpiresAt: Int64? = nil, senderEmail: String? = nil
        ) {
            self.senderEmail = senderEmail
            self.platform = platform
            self.eventId = eventId
            self.messageId = messageId
            self.chatId = chatId
            self.senderId = senderId
            self.senderName = senderName
            self.sessionWebhook = sessionWebhook
            self.sessionWebhookExpiresAt = sessionWebhookExpiresAt
        }
    }

    public var schema: String
    public var commandId: String
    public var issueUUID: String
    public var content: String
    /// RFC 3339 time the gateway accepted the command.
    public var requestedAt: String
    public var origin: Origin

    public init(commandId: String, issueUUID: String, content: String, requestedAt: String, origin: Origin) {
        self.schema = Self.schemaV1
        self.commandId = commandId
        self.issueUUID = issueUUID
        self.content = content
        self.requestedAt = requestedAt
        self.origin = origin
    }
}
