import Events
import Foundation
import ServiceKit

/// The Feishu card (JSON 2.0, shared with everyone in the chat, so it can be updated) that shows one issue as it is
/// now: title, level, status, assignees, resource, description, the last change, a link to Guance, and the buttons
/// that apply to its status. Every text from Guance goes into `plain_text` through `FeishuMarkup.plainText`: it is never markup.
///
/// Buttons call back (`card.action.trigger`) with the value `{"issueUUID": <uuid>, "action": <action>}`; the reply
/// gateway turns the click into an IssueAction.
struct IssueCard: Sendable {
    /// A card button: its label and the action name the gateway receives.
    enum Action: String, Sendable, CaseIterable {
        case acknowledge, resolve, reopen

        var label: String {
            switch self {
            case .acknowledge: "认领 Acknowledge"
            case .resolve: "已解决 Resolve"
            case .reopen: "重新打开 Reopen"
            }
        }

        var buttonType: String {
            switch self {
            case .acknowledge: "default"
            case .resolve: "primary"
            case .reopen: "default"
            }
        }
    }

    /// Feishu's limit for a card body; descriptions are shortened so a card stays well below it.
    static let maxBytes = 30 * 1024
    static let maxDescriptionCharacters = 3000
    static let maxTitleCharacters = 300

    let event: IssueEvent

    /// The buttons that apply: acknowledge and resolve while the issue is open, working or pending; reopen once it is
    /// resolved or closed.
    static func actions(statusType: Int) -> [Action] {
        switch statusType {
        case 20, 25: [.reopen]
        default: [.acknowledge, .resolve]
        }
    }

    static func statusText(_ statusType: Int) -> String {
        switch statusType {
        case 10: "Open 待处理"
        case 15: "Working 处理中"
        case 20: "Resolved 已解决"
        case 25: "Closed 已关闭"
        case 30: "Pending 挂起"
        default: "Status \(statusType)"
        }
    }

    /// Header colour: the level's while the issue needs attention, green once resolved, grey once closed.
    static func color(statusType: Int, levelName: String) -> String {
        switch statusType {
        case 20: "green"
        case 25: "grey"
        default: IssueLevel.color(of: levelName)
        }
    }

    /// The card JSON (sorted keys), as the `content` string of a send or an update.
    func json() -> String {
        var card = object(descriptionLimit: Self.maxDescriptionCharacters)
        var text = Self.serialize(card)
        // Wide characters or an enormous title can still exceed the limit: drop the description, then shorten more.
        if text.utf8.count > Self.maxBytes {
            card = object(descriptionLimit: 0)
            text = Self.serialize(card)
        }
        return text
    }

    func object(descriptionLimit: Int) -> [String: Any] {
        let issue = event.issue
        let levelName = IssueLevel.name(of: issue.level)
        var elements: [[String: Any]] = [
            Self.text(
                "Level: \(FeishuMarkup.plainText(levelName))\nStatus: \(Self.statusText(issue.statusType))\n"
                    + (assignees.map { "Assignee 负责人: \($0)\n" } ?? "")
                    + "Resource: \(Self.inert(issue.resource, 500))\n"
                    + "Created: \(EventView.format(unixSeconds: issue.createAt)) UTC"
                    + (event.channel.map { "\nChannel: \(Self.inert($0.name, 200))" } ?? ""))
        ]
        if descriptionLimit > 0, !issue.description.isEmpty {
            elements.append(Self.text(Self.inert(issue.description, descriptionLimit)))
        }
        if let change = lastChange { elements.append(Self.text(change)) }
        elements.append(["tag": "hr"])
        var columns: [[String: Any]] = Self.actions(statusType: issue.statusType).map { action in
            Self.column(
                Self.button(
                    action.label, type: action.buttonType,
                    behavior: ["type": "callback", "value": ["issueUUID": issue.uuid, "action": action.rawValue]]))
        }
        let link = EventView.linkTarget(issue.url)
        if !link.isEmpty {
            columns.append(
                Self.column(
                    Self.button(
                        "在观测云查看 Open in Guance", type: "default", behavior: ["type": "open_url", "default_url": link])
                ))
        }
        elements.append(["tag": "column_set", "flex_mode": "flow", "columns": columns])
        return [
            "schema": "2.0",
            "config": ["update_multi": true],
            "header": [
                "title": ["tag": "plain_text", "content": Self.inert(issue.name, Self.maxTitleCharacters)],
                "subtitle": ["tag": "plain_text", "content": Self.statusText(issue.statusType)],
                "template": Self.color(statusType: issue.statusType, levelName: levelName),
            ],
            "body": ["elements": elements],
        ]
    }

    /// Who the issue is assigned to, names joined (inert text); nil when nobody is.
    private var assignees: String? {
        guard let people = event.issue.assignees, !people.isEmpty else { return nil }
        return people.prefix(10).map { Self.inert($0.name, 100) }.joined(separator: ", ")
            + (people.count > 10 ? ", …" : "")
    }

    /// What the event says changed: the status change (with who made it, when a card action did), or the newest reply
    /// and its author.
    private var lastChange: String? {
        switch event.kind {
        case .created: nil
        case .updated:
            "Updated \(Self.inert(event.occurredAt, 40)): \(Self.statusText(event.issue.statusType))"
                + (event.actor.map { " · \(Self.inert($0.name, 100))" } ?? "")
        case .reply:
            event.reply.map { reply in
                "Reply by \(Self.inert(reply.creator?.name ?? "someone", 100)): \(Self.inert(reply.content, 500))"
            }
        }
    }

    private static func inert(_ text: String, _ limit: Int) -> String {
        FeishuMarkup.plainText(text.count > limit ? String(text.prefix(limit)) + "…" : text)
    }

    private static func text(_ content: String) -> [String: Any] {
        ["tag": "div", "text": ["tag": "plain_text", "content": content]]
    }

    private static func column(_ element: [String: Any]) -> [String: Any] {
        ["tag": "column", "width": "auto", "elements": [element]]
    }

    private static func button(_ label: String, type: String, behavior: [String: Any]) -> [String: Any] {
        ["tag": "button", "text": ["tag": "plain_text", "content": label], "type": type, "behaviors": [behavior]]
    }

    static func serialize(_ object: [String: Any]) -> String {
        let data = try? SortedKeysJSON.data(object)
        return String(decoding: data ?? Data("{}".utf8), as: UTF8.self)
    }
}
