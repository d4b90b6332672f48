import Events
import GuanceAPI

/// Decides, from a listing and the remembered state, which events are new. Pure: no I/O, so every rule is tested
/// without servers.
struct IssueDetector: Sendable {
    var factory: IssueEventFactory

    /// The outcome of looking at one listing.
    struct Detection: Sendable {
        /// Events to publish, grouped per issue in the order they must appear on Kafka.
        var eventsByIssue: [(issueUUID: String, events: [IssueEvent])] = []
        /// Issues whose `updateAt` moved since last seen: their replies should be checked.
        var replyChecks: [GuanceIssue] = []
        /// The snapshots to remember once the events are published.
        var snapshots: [String: PollerState.KnownIssue] = [:]
        /// The newest `createAt` in the listing.
        var newestCreateAt: Int64?
    }

    /// Looks at listed issues. New issues (not known, created at or after `state.since`) yield `issue.created`;
    /// known ones whose status or level changed yield `issue.updated`; an already published id is never repeated.
    /// Reply checks: known issues whose `updateAt` moved, and new ones already updated after creation.
    func detect(_ issues: [GuanceIssue], state: PollerState) -> Detection {
        var detection = Detection()
        let published = Set(state.recentEventIDs)
        var seen = Set<String>()
        // Oldest first, so per-issue and overall order follow creation.
        for issue in issues.sorted(by: { ($0.createAt, $0.uuid) < ($1.createAt, $1.uuid) }) {
            guard seen.insert(issue.uuid).inserted else { continue }  // pages overlapped while the list moved
            detection.newestCreateAt = max(detection.newestCreateAt ?? issue.createAt, issue.createAt)
            var events: [IssueEvent] = []
            let snapshot = PollerState.KnownIssue(
                createAt: issue.createAt, updateAt: issue.updateAt, statusType: issue.statusType, level: issue.level,
                replyCursor: state.known[issue.uuid]?.replyCursor ?? issue.createAt)
            if let known = state.known[issue.uuid] {
                if known.statusType != issue.statusType || known.level != issue.level,
                    issue.updateAt >= known.updateAt
                {
                    let event = factory.updated(issue)
                    if !published.contains(event.eventId) { events.append(event) }
                }
                if issue.updateAt > known.updateAt || (issue.updateAt == known.updateAt && known.recheckReplies == true)
                {
                    detection.replyChecks.append(issue)
                }
                if issue.updateAt >= known.updateAt { detection.snapshots[issue.uuid] = snapshot }
            } else {
                if issue.createAt >= state.since {
                    let event = factory.created(issue)
                    if !published.contains(event.eventId) { events.append(event) }
                    // Changed since creation (a reply before we first saw it): read its replies once.
                    if issue.updateAt > issue.createAt { detection.replyChecks.append(issue) }
                }
                detection.snapshots[issue.uuid] = snapshot
            }
            if !events.isEmpty { detection.eventsByIssue.append((issue.uuid, events)) }
        }
        return detection
    }

    /// `issue.reply` events for replies people wrote in Guance at or after the issue's reply cursor, oldest first;
    /// change records and replies this product wrote (`extend.source`) are skipped.
    func replyEvents(
        for issue: GuanceIssue, replies: [GuanceReply], replyCursor: Int64, published: Set<String>
    ) -> [IssueEvent] {
        replies
            .filter { $0.isHumanReply && $0.chatOpsMarker == nil && $0.createAt >= replyCursor }
            .sorted { ($0.createAt, $0.uuid) < ($1.createAt, $1.uuid) }
            .map { factory.reply($0, on: issue) }
            .filter { !published.contains($0.eventId) }
    }
}
