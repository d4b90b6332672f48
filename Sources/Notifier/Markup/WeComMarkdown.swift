/// WeCom (legacy) `markdown` text from Guance, made inert.
///
/// WeCom's markdown subset interprets headings, bold, links, quotes, `<font color>` and `<@userid>` mentions (which
/// notify the person); it documents no escape character. The rules are DingTalk's: a word joiner after every `<` (no
/// `<@…>` mention, no `<font>`) and every `]` (no link), a backslash before brackets, `*` and `` ` ``.
enum WeComMarkdown {
    static func escape(_ text: String) -> String {
        InertText.escape(text, replacements: ChatMarkdown.replacements)
    }
}
