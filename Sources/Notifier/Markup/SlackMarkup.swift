/// Slack text from Guance, made inert.
///
/// Slack's `mrkdwn` (message `text`, `mrkdwn` text objects) reads `<…>` as links, mentions and `<!channel>`
/// broadcasts, and `*bold*`, `_italic_`, `~strike~`, `` `code` ``. Slack's documented escape is `&amp;` `&lt;` `&gt;`
/// for the three control characters; it has none for the formatting marks, so a word joiner goes before each
/// `*`, `~` and `` ` `` (a mark right after a non-space character opens nothing). Underscores stay: issue uuids
/// (`issue_…`) must stay copyable, and `_` inside a word opens nothing. `plain_text` objects are not interpreted;
/// there a `<` still gets a word joiner, as on every platform.
enum SlackMarkup {
    /// For `mrkdwn` text: the message's `text` fallback and `mrkdwn` sections (templates, digest lines).
    static func mrkdwn(_ text: String) -> String {
        InertText.escape(text, replacements: mrkdwnReplacements)
    }

    /// For `plain_text` objects (headers, the built-in sections).
    static func plainText(_ text: String) -> String {
        InertText.escape(text, replacements: plainTextReplacements)
    }

    private static let mrkdwnReplacements = InertText.Table([
        "&": "&amp;", "<": "&lt;", ">": "&gt;", "*": "\u{2060}*", "~": "\u{2060}~", "`": "\u{2060}`",
    ])

    private static let plainTextReplacements = InertText.Table(["<": "<\u{2060}"])
}
