import Events
import Foundation

/// Storm digests: one message standing for many events, readable on its own: how many, which levels, the newest
/// titles each with its link, and a link to the full issue list in Guance.
extension MessageRenderer {
    /// What every platform's digest shows, computed once.
    struct Digest {
        let count: Int
        /// "critical 4, warning 10", most severe first.
        let levels: String
        let levelCounts: [String: Int]
        /// The most severe level (the card colour).
        let worst: String
        /// The newest `digestTitles` events, newest first.
        let newest: [EventView]
        /// "…and 4 more" when not every event is listed.
        let more: String?
        /// The Guance console's issue list, when the events' links show where it is.
        let listURL: String?

        var title: String { "\(count) issue events (storm digest)" }
    }

    func digest(of events: [IssueEvent]) -> Digest {
        let views = events.map(EventView.init)
        let counts = Dictionary(grouping: views, by: \.levelName).mapValues(\.count)
        let levels = counts.sorted { IssueLevel.rank(of: $0.key) < IssueLevel.rank(of: $1.key) }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let newest = Array(views.sorted { $0.createdAt > $1.createdAt }.prefix(digestTitles))
        let worst = views.map(\.levelName).min { IssueLevel.rank(of: $0) < IssueLevel.rank(of: $1) } ?? "info"
        return Digest(
            count: views.count, levels: levels, levelCounts: counts, worst: worst, newest: newest,
            more: views.count > newest.count ? "…and \(views.count - newest.count) more" : nil,
            listURL: newest.lazy.compactMap(Self.issueListURL).first)
    }

    /// The issue list of the console an issue link points into: the link without its last segment when that is the
    /// issue's uuid (`…/keyevents/issues/<uuid>` → `…/keyevents/issues`).
    static func issueListURL(_ view: EventView) -> String? {
        guard !view.issueUUID.isEmpty, view.url.hasSuffix("/" + view.issueUUID) else { return nil }
        let list = String(view.url.dropLast(view.issueUUID.utf8.count + 1))
        return list.contains("://") ? list : nil
    }

    /// A Guance title as digest markup shows it: trimmed, and made inert for the platform's markup (the same rules as
    /// single messages, Sources/Notifier/Markup). The one place a digest puts Guance text into markup.
    func digestTitle(_ view: EventView, bytes: Int = 120) -> String {
        kind.platform.inert(JSONBody.trim(view.title, toBytes: bytes))
    }

    /// The body of one digest message for this sink.
    func renderDigest(_ events: [IssueEvent]) -> [UInt8] {
        kind.platform.renderDigest(digest(of: events), events: events, renderer: self)
    }

    /// Heading, levels, one linked line per listed title, how many more, the link to all of them.
    func markdownLines(_ digest: Digest, heading: String, bullet: String) -> [String] {
        var lines = [heading, "", "**Levels:** \(digest.levels)", ""]
        lines += digest.newest.map {
            "\(bullet)[\(digestTitle($0))](\(EventView.linkTarget($0.url))) \($0.levelName)"
        }
        if let more = digest.more { lines.append(more) }
        if let listURL = digest.listURL { lines += ["", "[All issues in Guance](\(listURL))"] }
        return lines
    }
}
