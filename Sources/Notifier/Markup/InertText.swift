/// The part of making outside text inert that every chat markup shares: characters are replaced one by one from a
/// markup's table, and an invisible WORD JOINER (U+2060) is put inside every `://`, so that no client turns a bare
/// address into a link. The text reads the same; nothing in it is interpreted.
enum InertText {
    static let wordJoiner: Character = "\u{2060}"

    /// `text` with each character in `replacements` replaced and every `://` broken.
    static func escape(_ text: String, replacements: [Character: String]) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        var previous: Character?
        var beforePrevious: Character?
        for character in text {
            // `:` `/` `/`: the joiner goes between the colon and the slashes (`https:⁠//…`).
            if character == "/" && previous == "/" && beforePrevious == ":" {
                out.insert(wordJoiner, at: out.index(before: out.endIndex))
            }
            if let replacement = replacements[character] {
                out += replacement
            } else {
                out.append(character)
            }
            beforePrevious = previous
            previous = character
        }
        return out
    }
}
