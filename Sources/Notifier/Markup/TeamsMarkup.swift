/// Microsoft Teams (Adaptive Card) text from Guance, made inert.
///
/// A card's `TextBlock` and `Fact` values interpret a markdown subset (`**bold**`, `_italic_`, lists, `[text](url)`)
/// and Teams turns bare addresses into links; a `TextRun` inside a `RichTextBlock` is plain text (no markdown). The
/// built-in cards put Guance text only in `TextRun`s; `<` and `://` still get a word joiner there. For templates
/// (which render `TextBlock` markdown) brackets, `*`, `#`, `` ` `` and `<` are broken with a word joiner, since
/// Adaptive Cards document no escape character. Underscores stay, as on Slack: issue uuids must stay copyable.
enum TeamsMarkup {
    /// For `TextRun` text (the built-in cards).
    static func plainText(_ text: String) -> String {
        InertText.escape(text, replacements: plainTextReplacements)
    }

    /// For `TextBlock` markdown (templates, digest lines).
    static func markdown(_ text: String) -> String {
        InertText.escape(text, replacements: markdownReplacements)
    }

    private static let markdownReplacements = InertText.Table([
        "[": "[\u{2060}", "]": "]\u{2060}", "(": "\u{2060}(", "*": "\u{2060}*", "<": "<\u{2060}",
        "#": "\u{2060}#", "`": "\u{2060}`",
    ])

    private static let plainTextReplacements = InertText.Table(["<": "<\u{2060}"])
}
