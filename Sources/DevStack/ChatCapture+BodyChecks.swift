import Crypto
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import Signing
import Synchronization

/// The documented body structure of each platform, checked the way the platform does.
extension ChatCapture {
    public static func feishuBodyProblem(_ json: [String: Any]) -> String? {
        guard let type = json["msg_type"] as? String else { return "msg_type missing" }
        switch type {
        case "text":
            guard let content = json["content"] as? [String: Any], content["text"] is String else {
                return "content.text missing"
            }
        case "post":
            guard let content = json["content"] as? [String: Any], content["post"] is [String: Any] else {
                return "content.post missing"
            }
        case "interactive":
            guard let card = json["card"] as? [String: Any] else {
                return "card missing (interactive uses card, not content)"
            }
            guard let elements = card["elements"] as? [[String: Any]] else { return "card.elements missing" }
            if let header = card["header"] as? [String: Any] {
                guard let title = header["title"] as? [String: Any], title["tag"] as? String == "plain_text",
                    title["content"] is String
                else { return "card.header.title must be plain_text" }
                if let template = header["template"] as? String, !feishuColours.contains(template) {
                    return "unknown header template \(template)"
                }
            }
            let tags: Set<String> = ["markdown", "div", "hr", "note", "action", "img", "column_set"]
            for element in elements {
                guard let tag = element["tag"] as? String, tags.contains(tag) else { return "unknown element tag" }
            }
        case "image", "share_chat":
            break
        default:
            return "unknown msg_type \(type)"
        }
        return nil
    }

    static let feishuColours: Set<String> = [
        "blue", "wathet", "turquoise", "green", "yellow", "orange", "red", "carmine", "violet", "purple", "indigo",
        "grey",
    ]

    public static func dingtalkBodyProblem(_ json: [String: Any]) -> String? {
        guard let type = json["msgtype"] as? String else { return "msgtype missing" }
        switch type {
        case "text":
            guard let text = json["text"] as? [String: Any], text["content"] is String else {
                return "text.content missing"
            }
        case "markdown":
            guard let markdown = json["markdown"] as? [String: Any], markdown["title"] is String,
                markdown["text"] is String
            else { return "markdown.title and markdown.text are required" }
        case "actionCard", "link", "feedCard":
            break
        default:
            return "unknown msgtype \(type)"
        }
        return nil
    }

    public static func wecomBodyProblem(_ json: [String: Any]) -> (Int, String)? {
        let types: Set<String> = ["text", "markdown", "markdown_v2", "image", "news", "file", "voice", "template_card"]
        guard let type = json["msgtype"] as? String, types.contains(type) else {
            return (40008, "invalid message type")
        }
        switch type {
        case "text":
            guard let content = (json["text"] as? [String: Any])?["content"] as? String, !content.isEmpty else {
                return (44004, "empty content")
            }
            if content.utf8.count > 2048 { return (45002, "content size out of limit") }
        case "markdown", "markdown_v2":
            guard let content = (json[type] as? [String: Any])?["content"] as? String, !content.isEmpty else {
                return (44004, "empty content")
            }
            if content.utf8.count > 4096 { return (45002, "content size out of limit") }
        default:
            break
        }
        return nil
    }
}
