/// `guance.issue-action/v1`: a person clicked a button on an issue card (acknowledge, resolve, reopen). Published by
/// the gateway to `guance.reply-commands`, keyed by `issueUUID`, so one issue's actions and replies stay in order;
/// the record's `schema` header tells the writer which of the two it is. `commandId` derives from the platform's
/// event id, so a repeated callback yields the same command.
public struct IssueAction: Codable, Sendable, Equatable {
    public static let schemaV1 = "guance.issue-action/v1"

    /// What the button asks for.
    public enum Action: String, Codable, Sendable, CaseIterable {
        /// Assign the issue to the person who clicked (`extend.manager` = their Guance account e-mail).
        case acknowledge
        /// `statusType` 20.
        case resolve
        /// `statusType` 10.
        case reopen
    }

    /// Who clicked: the chat platform's user id, and the name and Guance account e-mail resolved for it.
    public struct Actor: Codable, Sendable, Equatable {
        public var platform: String
        /// Feishu open_id.
        public var id: String
        public var name: String?
        /// The person's Guance account e-mail (from IDENTITY_FILE or the chat platform's directory).
        public var email: String?

        public init(platform: String, id: String, name: String? = nil, email: String? = nil) {
            self.platform = platform
            self.id = id
            self.name = name
            self.email = email
        }
    }

    public var schema: String
    public var commandId: String
    public var issueUUID: String
    public var action: Action
    public var actor: Actor
    /// RFC 3339 time the gateway accepted the click.
    public var requestedAt: String
    /// The card that was clicked (`messageId`), so a failure is explained in its thread.
    public var origin: ReplyCommand.Origin

    public init(
        commandId: String, issueUUID: String, action: Action, actor: Actor, requestedAt: String,
        origin: ReplyCommand.Origin
    ) {
        self.schema = Self.schemaV1
        self.commandId = commandId
        self.issueUUID = issueUUID
        self.action = action
        self.actor = actor
        self.requestedAt = requestedAt
        self.origin = origin
    }
}
