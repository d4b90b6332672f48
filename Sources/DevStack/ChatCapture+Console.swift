import Crypto
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import Signing
import Synchronization

/// What dev-stack prints for each accepted message.
extension ChatCapture {
    /// A readable rendering of an accepted message for the dev-stack console, the same for every platform:
    /// `[platform] title` on the first line, then the details indented below it.
    public static func describe(_ message: Message) -> String {
        let (title, details) = titleAndDetails(of: message)
        let header = "[\(message.platform.rawValue)] \(title)"
        let body = details.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: true) }
            .map { "    " + $0 }
        return ([header] + body).joined(separator: "\n")
    }

    /// The message's title and the lines of detail below it, read from each platform's body shape.
    static func titleAndDetails(of message: Message) -> (String, [String]) {
        let json = message.json ?? [:]
        switch message.platform {
        case .feishu:
            let card = json["card"] as? [String: Any]
            let header = ((card?["header"] as? [String: Any])?["title"] as? [String: Any])?["content"] as? String
            var details: [String] = []
            for element in card?["elements"] as? [[String: Any]] ?? [] {
                if let text = (element["text"] as? [String: Any])?["content"] as? String { details.append(text) }
                if let text = element["content"] as? String { details.append(text) }
                for note in element["elements"] as? [[String: Any]] ?? [] {
                    if let text = note["content"] as? String { details.append(text) }
                }
                for action in element["actions"] as? [[String: Any]] ?? [] {
                    if let url = action["url"] as? String { details.append("→ \(url)") }
                }
            }
            return (header ?? (json["msg_type"] as? String ?? "message"), details)
        case .feishuFlow:
            let title = "\(json["title"] as? String ?? "") (\(json["level"] ?? ""))"
            return (title, [json["message"] as? String].compactMap { $0 })
        case .dingtalk:
            let markdown = json["markdown"] as? [String: Any]
            return markdownTitleAndDetails(markdown?["text"] as? String ?? "", title: markdown?["title"] as? String)
        case .wecom:
            let markdown = json["markdown"] as? [String: Any]
            return markdownTitleAndDetails(markdown?["content"] as? String ?? "", title: nil)
        case .webhook:
            let issue = json["issue"] as? [String: Any]
            let title = "\(json["kind"] as? String ?? "") \(issue?["name"] as? String ?? "")"
            let level = (issue?["level"] as? String).map { "level: \($0)" }
            return (title, [level, issue?["url"] as? String].compactMap { $0 })
        }
    }

    /// A markdown message's title (the given one, else its first line without `#` marks) and the remaining lines;
    /// a heading that repeats the title is not printed twice.
    static func markdownTitleAndDetails(_ text: String, title: String?) -> (String, [String]) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let heading = lines.first.map { $0.drop(while: { $0 == "#" || $0 == " " }) }.map(String.init)
        if let heading, title == nil || heading == title { lines.removeFirst() }
        return (title ?? heading ?? "", lines)
    }
}
