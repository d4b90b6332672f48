import Foundation

/// What a poller remembers about one target, stored as `guance.poller-state/v1` JSON in the compacted topic
/// `guance.poller-state`, keyed by the target's name. Read back when an instance takes the target over, so polling
/// resumes without gaps or repeats.
struct PollerState: Codable, Sendable, Equatable {
    static let schemaV1 = "guance.poller-state/v1"
    /// Bounds that keep the record far below Kafka's 1 MB message limit.
    static let maxKnownIssues = 3000
    static let maxRecentEventIDs = 3000

    /// What the poller last saw of one issue.
    struct KnownIssue: Codable, Sendable, Equatable {
        var createAt: Int64
        var updateAt: Int64
        var statusType: Int
        var level: String
        /// Replies created at or after this second have not all been announced yet.
        var replyCursor: Int64
        /// The replies were read while `updateAt`'s second was still running: read them once more, since a reply
        /// in that same second would not move `updateAt` (timestamps are whole seconds).
        var recheckReplies: Bool? = nil

        enum CodingKeys: String, CodingKey {
            case createAt = "c"
            case updateAt = "u"
            case statusType = "s"
            case level = "l"
            case replyCursor = "r"
            case recheckReplies = "x"
        }
    }

    var schema = PollerState.schemaV1
    var target: String
    /// The newest `createAt` seen (server seconds): the next listing starts at `cursor - overlap`.
    var cursor: Int64
    /// Issues created before this second existed before the target was first polled: never announced.
    var since: Int64
    var known: [String: KnownIssue] = [:]
    /// Event ids published most recently, oldest first.
    var recentEventIDs: [String] = []
    /// Per partition of `guance.issue-events`: every event of this target is below this offset (recovery reads
    /// from here to the end after a crash, to learn what was published after this state was written).
    var eventOffsets: [String: Int64] = [:]
    /// The next page of the update sweep.
    var sweepPage = 1
    /// The instance that polls the target, and whether it let go cleanly (hand-over waits for `released`).
    var owner: String?
    var released = false
    var writtenAt: String = ""

    init(target: String, cursor: Int64, since: Int64) {
        self.target = target
        self.cursor = cursor
        self.since = since
    }

    /// Adds published event ids, keeping the newest `maxRecentEventIDs`.
    mutating func remember(_ eventIDs: some Sequence<String>) {
        recentEventIDs.append(contentsOf: eventIDs)
        if recentEventIDs.count > Self.maxRecentEventIDs {
            recentEventIDs.removeFirst(recentEventIDs.count - Self.maxRecentEventIDs)
        }
    }

    /// Forgets the oldest issues beyond `maxKnownIssues` (by creation time).
    mutating func pruneKnown() {
        guard known.count > Self.maxKnownIssues else { return }
        let keep = known.sorted { $0.value.createAt > $1.value.createAt }.prefix(Self.maxKnownIssues)
        known = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
    }
}
