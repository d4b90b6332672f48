import Events
import Foundation

/// Builds `IssueEvent`s with deterministic ids: the same source fact always yields the same `eventId`. The poller
/// uses it for what it detects, the reply writer for the change a card action made (so both derive the same id).
/// - created: `<issue>:created`
/// - updated: `<issue>:updated:<updateAt>:<statusType>:<level>`
/// - reply:   `<issue>:reply:<reply uuid>`
public struct IssueEventFactory: Sendable {
    public var workspaceUUID: String
    public var channel: IssueEvent.Channel?
    public var consoleURL: String?
    public var descriptionLimit = HTMLText.defaultLimit

    public init(
        workspaceUUID: String, channel: IssueEvent.Channel?, consoleURL: String?,
        descriptionLimit: Int = HTMLText.defaultLimit
    ) {
        self.workspaceUUID = workspaceUUID
        self.channel = channel
        self.consoleURL = consoleURL
        self.descriptionLimit = descriptionLimit
    }

    public static func createdID(_ issue: GuanceIssue) -> String { "\(issue.uuid):created" }

    public static func updatedID(_ issue: GuanceIssue) -> String {
        "\(issue.uuid):updated:\(issue.updateAt):\(issue.statusType):\(issue.level)"
    }

    public static func replyID(issueUUID: String, _ reply: GuanceReply) -> String { "\(issueUUID):reply:\(reply.uuid)" }

    public func created(_ issue: GuanceIssue) -> IssueEvent {
        IssueEvent(
            eventId: Self.createdID(issue), kind: .created,
            occurredAt: EventCoding.rfc3339(unixSeconds: issue.createAt),
            workspaceUUID: workspace(issue), channel: channel, issue: body(issue))
    }

    public func updated(_ issue: GuanceIssue) -> IssueEvent {
        IssueEvent(
            eventId: Self.updatedID(issue), kind: .updated,
            occurredAt: EventCoding.rfc3339(unixSeconds: issue.updateAt),
            workspaceUUID: workspace(issue), channel: channel, issue: body(issue))
    }

    public func reply(_ reply: GuanceReply, on issue: GuanceIssue) -> IssueEvent {
        let author = reply.creatorInfo?.displayName.map { IssueEvent.Person(name: $0, email: reply.creatorInfo?.email) }
        return IssueEvent(
            eventId: Self.replyID(issueUUID: issue.uuid, reply), kind: .reply,
            occurredAt: EventCoding.rfc3339(unixSeconds: reply.createAt), workspaceUUID: workspace(issue),
            channel: channel, issue: body(issue),
            reply: IssueEvent.Reply(
                uuid: reply.uuid, content: HTMLText.plainText(reply.content, limit: descriptionLimit),
                createAt: reply.createAt, creator: author))
    }

    /// The console link of an issue: `<GUANCE_CONSOLE_URL>/keyevents/issues/<uuid>` (path **unconfirmed**; the
    /// console's issue URL is not in the OpenAPI docs).
    public func url(_ issue: GuanceIssue) -> String {
        let path = "/keyevents/issues/\(issue.uuid)"
        guard let consoleURL else { return path }
        return consoleURL.hasSuffix("/") ? String(consoleURL.dropLast()) + path : consoleURL + path
    }

    private func workspace(_ issue: GuanceIssue) -> String {
        issue.workspaceUUID.isEmpty ? workspaceUUID : issue.workspaceUUID
    }

    private func body(_ issue: GuanceIssue) -> IssueEvent.Issue {
        let creator = issue.creatorInfo?.displayName.map {
            IssueEvent.Person(name: $0, email: issue.creatorInfo?.email)
        }
        return IssueEvent.Issue(
            uuid: issue.uuid, name: HTMLText.plainText(issue.name, limit: 512), level: issue.level,
            statusType: issue.statusType, resource: issue.resource, resourceType: issue.resourceType,
            description: HTMLText.plainText(issue.description, limit: descriptionLimit), createAt: issue.createAt,
            updateAt: issue.updateAt, creator: creator, url: url(issue), assignees: Self.assignees(issue))
    }

    /// The issue's `extend.manager` entries as people: Guance lists identifiers, not names, so each one is shown as
    /// it is (an e-mail address also fills `email`); nil when nobody is assigned.
    public static func assignees(_ issue: GuanceIssue) -> [IssueEvent.Person]? {
        let people = issue.managers.prefix(20).map { id in
            let id = String(id.prefix(200))
            return IssueEvent.Person(name: id, email: id.contains("@") ? id : nil)
        }
        return people.isEmpty ? nil : Array(people)
    }
}
