/// `guance.issue-event/v1`: something happened to a Guance issue. Published by the poller to
/// `guance.issue-events`, keyed by `issue.uuid`. `eventId` is deterministic, so re-reading a window cannot
/// publish a second event for the same fact.
public struct IssueEvent: Codable, Sendable, Equatable {
    public static let schemaV1 = "guance.issue-event/v1"

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case created = "issue.created"
        case updated = "issue.updated"
        case reply = "issue.reply"
    }

    public struct Channel: Codable, Sendable, Equatable {
        public var uuid: String
        public var name: String
        public init(uuid: String, name: String) {
            self.uuid = uuid
            self.name = name
        }
    }

    public struct Person: Codable, Sendable, Equatable {
        public var name: String
        public var email: String?
        public init(name: String, email: String? = nil) {
            self.name = name
            self.email = email
        }
    }

    public struct Issue: Codable, Sendable, Equatable {
        public var uuid: String
        public var name: String
        /// The level as Guance reports it (a number such as `2` or a uuid such as `system_level_2`), as text.
        public var level: String
        /// 10 open, 15 working, 20 resolved, 25 closed, 30 pending.
        public var statusType: Int
        public var resource: String
        public var resourceType: String
        /// Plain text rendered from the HTML description.
        public var description: String
        /// Unix seconds.
        public var createAt: Int64
        public var updateAt: Int64
        public var creator: Person?
        /// Link to the issue in the Guance console.
        public var url: String
        /// Who the issue is assigned to (Guance's `extend.manager`): a person's name when it is known, else the
        /// identifier Guance lists (an e-mail, an account or team id). Optional and left out when nobody is assigned,
        /// so older events and consumers stay valid.
        public var assignees: [Person]?

        public init(
            uuid: String, name: String, level: String, statusType: Int, resource: String, resourceType: String,
            description: String, createAt: Int64, updateAt: Int64, creator: Person?, url: String,
            assignees: [Person]? = nil
        ) {
            self.uuid = uuid
            self.name = name
            self.level = level
            self.statusType = statusType
            self.resource = resource
            self.resourceType = resourceType
            self.description = description
            self.createAt = createAt
            self.updateAt = updateAt
            self.creator = creator
            self.url = url
            self.assignees = assignees
        }
    }

    public struct Reply: Codable, Sendable, Equatable {
        public var uuid: String
        public var content: String
        public var createAt: Int64
        public var creator: Person?
        public init(uuid: String, content: String, createAt: Int64, creator: Person?) {
            self.uuid = uuid
            self.content = content
            self.createAt = createAt
            self.creator = creator
        }
    }

    public var schema: String
    public var eventId: String
    public var kind: Kind
    /// RFC 3339 time of the source fact.
    public var occurredAt: String
    public var workspaceUUID: String
    public var channel: Channel?
    public var issue: Issue
    public var reply: Reply?
    /// Who made the change, when guance-chatops made it (the reply writer sets it on the `issue.updated` of a card
    /// action; the poller never does). Optional, so older events and consumers stay valid.
    public var actor: Person?

    public init(
        eventId: String, kind: Kind, occurredAt: String, workspaceUUID: String, channel: Channel?, issue: Issue,
        reply: Reply? = nil, actor: Person? = nil
    ) {
        self.schema = Self.schemaV1
        self.eventId = eventId
        self.kind = kind
        self.occurredAt = occurredAt
        self.workspaceUUID = workspaceUUID
        self.channel = channel
        self.issue = issue
        self.reply = reply
        self.actor = actor
    }
}
