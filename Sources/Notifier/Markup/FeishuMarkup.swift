/// Feishu card text from Guance, made inert.
///
/// Card `markdown` / `lark_md` elements interpret markdown (`**`, `[text](url)`, `![…]`), `<at id=all></at>` and
/// `<at user_id="…">` mentions, and `<font>` / `<text_tag>` tags; Feishu documents HTML character references
/// (`&#60;` …) as the way to show those characters. `plain_text` elements are not interpreted by Feishu; there a `<`
/// is still followed by a word joiner, so that no tag can form even if a client did.
enum FeishuMarkup {
    /// For the content of `markdown` and `lark_md` elements (Mustache templates of a Feishu sink).
    static func markdown(_ text: String) -> String {
        InertText.escape(text, replacements: markdownReplacements)
    }

    /// For `plain_text` elements (the built-in card).
    static func plainText(_ text: String) -> String {
        InertText.escape(text, replacements: plainTextReplacements)
    }

    private static let plainTextReplacements = InertText.Table(["<": "<\u{2060}"])

    private static let markdownReplacements = InertText.Table([
        "<": "&#60;", ">": "&#62;", "[": "&#91;", "]": "&#93;", "(": "&#40;", ")": "&#41;", "*": "&#42;",
        "_": "&#95;", "~": "&#126;", "`": "&#96;", "#": "&#35;", "!": "&#33;", "\\": "&#92;", "&": "&#38;",
    ])
}
