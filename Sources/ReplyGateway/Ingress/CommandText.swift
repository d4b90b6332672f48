import Foundation

/// A chat message understood as "add this reply to that issue".
struct CommandText: Sendable, Equatable {
    var issueUUID: String
    var content: String

    /// Parses the reference format `#<issue uuid>#<text>`. Everything after the second `#` is the reply (it may
    /// contain `#` itself); surrounding whitespace is trimmed. Full-width `＃` (Chinese input methods) counts as `#`.
    /// Returns nil when the text does not start with a well-formed issue reference.
    static func parse(_ text: String) -> CommandText? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let first = trimmed.first, isHash(first) else { return nil }
        let rest = trimmed.dropFirst()
        guard let end = rest.firstIndex(where: isHash) else { return nil }
        let uuid = String(rest[rest.startIndex..<end]).trimmingCharacters(in: .whitespaces)
        guard isIssueUUID(uuid) else { return nil }
        let content = rest[rest.index(after: end)...].trimmingCharacters(in: .whitespacesAndNewlines)
        return CommandText(issueUUID: uuid, content: content)
    }

    /// An issue uuid as Guance writes them (`issue_` + hex), or any 1–128 characters of `[A-Za-z0-9_-]`.
    static func isIssueUUID(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 128
            && text.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-")
            }
    }

    /// The first `issue_…` uuid in a text (a notification in whose thread someone replied).
    static func findIssueUUID(in text: String) -> String? {
        guard let range = text.range(of: #"issue_[A-Za-z0-9]{4,120}"#, options: .regularExpression) else { return nil }
        return String(text[range])
    }

    private static func isHash(_ character: Character) -> Bool { character == "#" || character == "＃" }
}

/// Feishu puts mentions into message text as placeholders (`@_user_1`) whose identity is in `mentions`.
enum MentionText {
    /// Removes the leading placeholders (the bot being addressed) and turns the others into `@name`, so a reply
    /// that mentions a colleague keeps the name readable in Guance.
    static func strip(_ text: String, mentions allMentions: [(key: String, name: String)]) -> String {
        // An empty key would match everywhere without consuming anything; more mentions than a message can carry
        // are an attack on the replacement loop below, not a message.
        let mentions = allMentions.filter { !$0.key.isEmpty }.prefix(maxMentions)
        var remaining = Substring(text)
        // Leading mentions: "@_user_1 @_user_2 #issue#..." addresses bots; drop them.
        while true {
            let trimmed = remaining.drop { $0.isWhitespace }
            guard let mention = mentions.first(where: { trimmed.hasPrefix($0.key) && !continuesKey(trimmed, $0.key) })
            else {
                remaining = trimmed
                break
            }
            remaining = trimmed.dropFirst(mention.key.count)
        }
        var result = String(remaining)
        // Longest keys first so @_user_10 is not mangled by @_user_1.
        for mention in mentions.sorted(by: { $0.key.count > $1.key.count }) {
            result = result.replacingOccurrences(of: mention.key, with: "@" + mention.name)
        }
        return result
    }

    /// Feishu allows far fewer mentions in one message; the rest are left as they are.
    static let maxMentions = 100

    /// True when the key is followed by another digit (`@_user_1` inside `@_user_12`).
    private static func continuesKey(_ text: Substring, _ key: String) -> Bool {
        let after = text.dropFirst(key.count)
        return after.first?.isNumber ?? false
    }
}
