import Foundation

extension EventView {
    /// The view with every value that comes from Guance passed through `escape` (titles, descriptions, replies,
    /// names, levels, uuids), and the issue link made safe to put in a markdown link. Our own texts (`kindText`,
    /// `createdAt`, `color`, the reply hint around the uuid) are left as they are.
    func inert(_ escape: (String) -> String) -> EventView {
        var view = self
        view.eventId = escape(eventId)
        view.issueUUID = escape(issueUUID)
        view.title = escape(title)
        view.level = escape(level)
        view.levelName = escape(levelName)
        view.resource = escape(resource)
        view.resourceType = escape(resourceType)
        view.description = escape(description)
        view.creator = escape(creator)
        view.channel = escape(channel)
        view.replyContent = escape(replyContent)
        view.replyAuthor = escape(replyAuthor)
        // The hint is ours (`@bot #<uuid>#your text`); only the uuid in it came from Guance.
        if view.issueUUID != issueUUID {
            view.replyHint = replyHint.replacingOccurrences(of: issueUUID, with: view.issueUUID)
        }
        view.url = Self.linkTarget(url)
        return view
    }

    /// An http(s) address with every character that could end a markdown link target or start markup
    /// percent-encoded; anything else becomes empty (no link rather than a foreign one).
    static func linkTarget(_ url: String) -> String {
        let lowered = url.prefix(8).lowercased()
        guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://") else { return "" }
        if url.utf8.allSatisfy({ $0 < 128 && linkBytes[Int($0)] }) { return url }
        return url.addingPercentEncoding(withAllowedCharacters: linkCharacters) ?? ""
    }

    /// `linkCharacters` as an ASCII lookup: addresses made of them only are returned without a copy.
    private static let linkBytes: [Bool] = (0..<128).map { linkCharacters.contains(Unicode.Scalar(UInt8($0))) }

    private static let linkCharacters = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?=&%+,;@")
}
