/// `guance.reply-result/v1`: what became of a `ReplyCommand`. Published by the reply writer to
/// `guance.reply-results`, keyed by `issueUUID`.
public struct ReplyResult: Codable, Sendable, Equatable {
    public static let schemaV1 = "guance.reply-result/v1"

    public enum Outcome: String, Codable, Sendable {
        /// The reply was written (or had been written before: `replyUUID` is the existing one).
        case written
        /// Nothing was written; `reason` says why.
        case rejected
        /// Writing failed after every retry; `reason` says what the server said.
        case failed
    }

    public var schema: String
    public var commandId: String
    public var issueUUID: String
    public var issueName: String?
    public var outcome: Outcome
    public var replyUUID: String?
    public var reason: String?
    /// RFC 3339.
    public var completedAt: String
    public var origin: ReplyCommand.Origin
    /// Set when the command was a card action (`IssueAction`); nil for replies.
    public var action: IssueAction.Action?

    public init(
        commandId: String, issueUUID: String, issueName: String?, outcome: Outcome, replyUUID: String?,
        reason: String?, completedAt: String, origin: ReplyCommand.Origin
    ) {
        self.schema = Self.schemaV1
        self.commandId = commandId
        self.issueUUID = issueUUID
        self.issueName = issueName
        self.outcome = outcome
        self.replyUUID = replyUUID
        self.reason = reason
        self.completedAt = completedAt
        self.origin = origin
    }
}
