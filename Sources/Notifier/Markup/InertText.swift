/// The part of making outside text inert that every chat markup shares: characters are replaced one by one from a
/// markup's table, and an invisible WORD JOINER (U+2060) is put inside every `://`, so that no client turns a bare
/// address into a link. The text reads the same; nothing in it is interpreted.
///
/// Works on UTF-8 bytes: every character a markup interprets is ASCII, and an ASCII byte is never part of a longer
/// UTF-8 sequence, so a `<` is replaced even when a combining mark follows it. Text with nothing to replace is
/// returned as it is, without a copy (most titles and descriptions).
enum InertText {
    static let wordJoiner = "\u{2060}"

    /// A markup's replacements, indexed by ASCII byte.
    struct Table: Sendable {
        fileprivate let replacements: [[UInt8]?]

        /// `replacements`' keys must be ASCII characters.
        init(_ replacements: [Character: String]) {
            var table = [[UInt8]?](repeating: nil, count: 128)
            for (character, replacement) in replacements {
                guard let ascii = character.asciiValue else { preconditionFailure("non-ASCII key \(character)") }
                table[Int(ascii)] = Array(replacement.utf8)
            }
            self.replacements = table
        }

        fileprivate func replacement(for byte: UInt8) -> [UInt8]? {
            byte < 128 ? replacements[Int(byte)] : nil
        }
    }

    /// `text` with each character in `replacements` replaced and every `://` broken.
    static func escape(_ text: String, replacements: Table) -> String {
        var text = text
        return text.withUTF8 { utf8 -> String? in
            guard needsWork(utf8, replacements) else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(utf8.count + utf8.count / 8 + 8)
            let joiner = Array(wordJoiner.utf8)
            for index in 0..<utf8.count {
                let byte = utf8[index]
                // `:` `/` `/`: the joiner goes between the colon and the slashes (`https:⁠//…`).
                if byte == UInt8(ascii: "/"), index >= 2, utf8[index - 1] == UInt8(ascii: "/"),
                    utf8[index - 2] == UInt8(ascii: ":")
                {
                    insert(joiner, beforeLastOf: utf8[index - 1], replacements, into: &out)
                }
                if let replacement = replacements.replacement(for: byte) {
                    out.append(contentsOf: replacement)
                } else {
                    out.append(byte)
                }
            }
            return String(decoding: out, as: UTF8.self)
        } ?? text
    }

    private static func needsWork(_ utf8: UnsafeBufferPointer<UInt8>, _ replacements: Table) -> Bool {
        for index in 0..<utf8.count {
            let byte = utf8[index]
            if replacements.replacement(for: byte) != nil { return true }
            if byte == UInt8(ascii: "/"), index >= 2, utf8[index - 1] == UInt8(ascii: "/"),
                utf8[index - 2] == UInt8(ascii: ":")
            {
                return true
            }
        }
        return false
    }

    /// Puts the joiner before what the previous byte (the first `/`) became in `out`.
    private static func insert(
        _ joiner: [UInt8], beforeLastOf previous: UInt8, _ replacements: Table, into out: inout [UInt8]
    ) {
        let written = replacements.replacement(for: previous)?.count ?? 1
        out.insert(contentsOf: joiner, at: out.count - written)
    }
}
