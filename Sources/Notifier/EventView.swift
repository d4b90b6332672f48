import Events
import Foundation
import Timing

/// What a message shows about one event: the fields every rendering (built-in or Mustache template) uses.
struct EventView: Sendable, Equatable {
    var eventId: String
    var kind: String
    /// "New issue", "Issue updated", "New reply".
    var kindText: String
    var issueUUID: String
    var title: String
    /// The level as Guance sent it.
    var level: String
    /// critical, important, warning, info or the raw level.
    var levelName: String
    /// Feishu header template colour for the level.
    var color: String
    var statusType: Int
    var resource: String
    var resourceType: String
    var description: String
    /// `yyyy-MM-dd HH:mm:ss` in UTC, as the reference workflow formatted `createAt`.
    var createdAt: String
    var creator: String
    var channel: String
    var url: String
    var replyContent: String
    var replyAuthor: String
    /// How to answer from the chat: `@bot #<issue uuid>#your text`.
    var replyHint: String

    init(_ event: IssueEvent) {
        let issue = event.issue
        eventId = event.eventId
        kind = event.kind.rawValue
        kindText =
            switch event.kind {
            case .created: "New issue"
            case .updated: "Issue updated"
            case .reply: "New reply"
            }
        issueUUID = issue.uuid
        title = issue.name
        level = issue.level
        levelName = IssueLevel.name(of: issue.level)
        color = IssueLevel.color(of: levelName)
        statusType = issue.statusType
        resource = issue.resource
        resourceType = issue.resourceType
        description = issue.description
        createdAt = Self.format(unixSeconds: issue.createAt)
        creator = issue.creator?.name ?? ""
        channel = event.channel?.name ?? ""
        url = issue.url
        replyContent = event.reply?.content ?? ""
        replyAuthor = event.reply?.creator?.name ?? ""
        replyHint = "@bot #\(issue.uuid)#your text"
    }

    /// The values a Mustache template can use (`{{title}}`, `{{levelName}}`, ...).
    var templateContext: [String: String] {
        [
            "eventId": eventId, "kind": kind, "kindText": kindText, "issueUUID": issueUUID, "title": title,
            "level": level, "levelName": levelName, "color": color, "statusType": String(statusType),
            "resource": resource, "resourceType": resourceType, "description": description, "createdAt": createdAt,
            "creator": creator, "channel": channel, "url": url, "replyContent": replyContent,
            "replyAuthor": replyAuthor, "replyHint": replyHint,
        ]
    }

    /// `yyyy-MM-dd HH:mm:ss` (UTC) by `CivilTime` arithmetic: Calendar was a visible share of the per-event CPU.
    /// Times outside years 1–9999 (a corrupt or hostile `createAt`) are shown as the nearest bound.
    static func format(unixSeconds: Int64) -> String {
        let time = CivilTime(secondsSince1970: unixSeconds)
        return "\(time.date) \(time.time)"
    }
}

/// Guance issue levels: numbers (`0`), level uuids (`system_level_0`) or names, mapped to one name for routing
/// and colours. Guance's system levels are P0 critical (紧急), P1 important (重要), P2 warning (警告),
/// P3 info (提示).
enum IssueLevel {
    static let names = ["critical", "important", "warning", "info"]

    static func name(of level: String) -> String {
        if names.contains(level) { return level }
        let lowered = level.lowercased().trimmingCharacters(in: .whitespaces)
        if names.contains(lowered) { return lowered }
        let digits = lowered.replacingOccurrences(of: "system_level_", with: "").replacingOccurrences(of: "p", with: "")
        if let number = Int(digits), names.indices.contains(number) { return names[number] }
        switch lowered {
        case "紧急", "urgent", "fatal": return "critical"
        case "重要", "error", "high": return "important"
        case "警告", "medium": return "warning"
        case "提示", "low": return "info"
        default: return lowered
        }
    }

    static func color(of name: String) -> String {
        switch name {
        case "critical": "red"
        case "important": "orange"
        case "warning": "yellow"
        case "info": "blue"
        default: "grey"
        }
    }

    /// Sort rank, most severe first (unknown levels last).
    static func rank(of name: String) -> Int { names.firstIndex(of: name) ?? names.count }
}
