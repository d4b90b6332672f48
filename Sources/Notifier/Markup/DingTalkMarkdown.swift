/// DingTalk `markdown` text from Guance, made inert.
///
/// DingTalk's markdown interprets headings, emphasis, links and images (`[…](…)`, `![…](…)`), quotes, and a few
/// HTML tags (`<font color>`, `<a>`); it documents no escape character. So the rules rely on the word joiner where
/// it matters: one follows every `<` (no tag can start) and every `]` (`](` and `]:` never touch, so no link or
/// image forms even where a backslash were shown rather than honoured). Brackets, `*` and `` ` `` also get the
/// conventional backslash. Underscores are left alone: issue uuids (`issue_…`) must stay copyable.
enum DingTalkMarkdown {
    static func escape(_ text: String) -> String {
        InertText.escape(text, replacements: ChatMarkdown.replacements)
    }
}

/// The replacements DingTalk and WeCom markdown share (both are small markdown subsets with HTML-like tags).
enum ChatMarkdown {
    static let replacements = InertText.Table([
        "*": "\\*", "`": "\\`", "[": "\\[", "]": "\\]\u{2060}", "<": "<\u{2060}",
    ])
}
