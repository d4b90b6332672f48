import Foundation

/// Turns a Guance issue description (HTML with mention spans) into readable plain text: block elements become line
/// breaks, list items get "- ", mentions keep their visible text (`@name`, `#channel`), entities are decoded,
/// scripts and styles are dropped, whitespace is collapsed, and the result is cut at `limit` characters.
public enum HTMLText {
    public static let defaultLimit = 4000
    public static let truncationMark = "… (truncated)"

    /// Linear in the input: every character is looked at a bounded number of times (a `<` without a later `>` is
    /// text, and once no `>` is left the rest is not searched again), and the output stops growing early.
    public static func plainText(_ html: String, limit: Int = defaultLimit) -> String {
        var output = ""
        output.reserveCapacity(min(html.utf8.count, limit * 2))
        var produced = 0  // characters in `output` (String.count is not O(1))
        var index = html.startIndex
        var skipUntilClose: String?
        var tagsPossible = true  // false once no `>` is left after the current position
        func emit(_ text: String, characters: Int) {
            output.append(text)
            produced += characters
        }
        while index < html.endIndex {
            // Stop early on huge inputs: the text is cut anyway.
            if produced > limit * 2 { break }
            let character = html[index]
            if character == "<", tagsPossible {
                guard let close = html[index...].firstIndex(of: ">") else {
                    tagsPossible = false
                    continue
                }
                let inner = html[html.index(after: index)..<close]
                let tag = Self.tagName(inner)
                let isClosing = inner.hasPrefix("/")
                index = html.index(after: close)
                if let skip = skipUntilClose {
                    if isClosing && tag == skip { skipUntilClose = nil }
                    continue
                }
                switch tag {
                case "script", "style", "head":
                    if !isClosing && !inner.hasSuffix("/") { skipUntilClose = tag }
                case "br", "p", "div", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol",
                    "table":
                    emit("\n", characters: 1)
                case "li":
                    if !isClosing { emit("\n- ", characters: 3) }
                case "td", "th":
                    if isClosing { emit(" ", characters: 1) }
                default:
                    break
                }
                continue
            }
            if skipUntilClose != nil {
                index = html.index(after: index)
                continue
            }
            if character == "&", let semicolon = html[index...].prefix(12).firstIndex(of: ";"),
                let decoded = Self.entity(html[html.index(after: index)..<semicolon])
            {
                emit(decoded, characters: 1)
                index = html.index(after: semicolon)
                continue
            }
            output.append(character)
            produced += 1
            index = html.index(after: index)
        }
        return Self.truncate(Self.collapse(output), limit: limit)
    }

    /// The tag's lower-cased name; only the first characters are looked at (names we act on are short).
    private static func tagName(_ inner: Substring) -> String {
        var name = inner.prefix(16).drop { $0 == "/" || $0 == " " }
        if let end = name.firstIndex(where: { $0 == " " || $0 == "/" || $0 == "\n" || $0 == "\t" }) {
            name = name[..<end]
        }
        return name.lowercased()
    }

    private static let named: [Substring: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "#39": "'", "hellip": "…",
        "mdash": "—", "ndash": "–", "copy": "©", "reg": "®", "laquo": "«", "raquo": "»", "middot": "·",
    ]

    private static func entity(_ body: Substring) -> String? {
        if let known = named[body] { return known }
        guard body.hasPrefix("#") else { return nil }
        let digits = body.dropFirst()
        let value: UInt32? =
            digits.hasPrefix("x") || digits.hasPrefix("X")
            ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
        return value.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
    }

    /// Collapses runs of spaces within lines, trims lines, and drops empty lines (chat cards are compact).
    private static func collapse(_ text: String) -> String {
        var lines: [String] = []
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let words = rawLine.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{00A0}" })
            let line = words.joined(separator: " ")
            if line.isEmpty { continue }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    private static func truncate(_ text: String, limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + truncationMark
    }
}
