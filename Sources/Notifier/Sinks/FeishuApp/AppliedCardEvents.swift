import Events
import Synchronization

/// What each card shows, per issue, so an event that would move a card back to an older state is not applied.
///
/// A card action's change reaches the sink twice with the same event id: first from the reply writer, which knows
/// who clicked (`actor`), then from the poller's listing, which does not — and the poller's copy may arrive after the
/// writer's event of a *later* click (the two are published by different processes). So:
/// - an event about an older state of the issue (`updateAt` before the one the card shows) is skipped;
/// - an event without an actor whose id the card has already shown (recently) is skipped: it repeats a fact the card
///   showed, possibly late, and applying it would show an older status or erase the clicker's name;
/// - the writer's event (with an actor) is applied unless the card shows exactly it (same id and assignees: an
///   Acknowledge changes neither status nor level, so within the second of the previous change it has that id).
/// Limit: two changes of the same status within one second share an event id (Guance's `updateAt` has seconds);
/// a console change that repeats, within that second, a status a click set just before is not shown until the
/// issue's next change. Kept in memory only (bounded): after a restart a repeat is applied once more.
final class AppliedCardEvents: Sendable {
    private struct Shown {
        var eventID: String
        var hasActor: Bool
        var assignees: [IssueEvent.Person]?
        var updateAt: Int64
        /// The ids this card showed most recently, newest last.
        var recentIDs: [String]
    }

    private struct State {
        var shown: [String: Shown] = [:]
        var order: [String] = []
    }

    private let state = Mutex(State())
    let capacity: Int
    /// How many shown event ids are remembered per card.
    static let recentIDsPerCard = 16

    init(capacity: Int = 10_000) {
        self.capacity = max(capacity, 1)
    }

    /// True when applying the event would not bring the card closer to the issue as it is now.
    func isRepeat(_ event: IssueEvent) -> Bool {
        state.withLock { state in
            guard let shown = state.shown[event.issue.uuid] else { return false }
            if event.issue.updateAt < shown.updateAt { return true }
            if event.actor != nil {
                return event.eventId == shown.eventID && shown.hasActor && event.issue.assignees == shown.assignees
            }
            return shown.recentIDs.contains(event.eventId)
        }
    }

    /// Remembers that the card of the event's issue now shows it.
    func record(_ event: IssueEvent) {
        state.withLock { state in
            let issue = event.issue.uuid
            var recent = state.shown[issue]?.recentIDs ?? []
            recent.removeAll { $0 == event.eventId }
            recent.append(event.eventId)
            if recent.count > Self.recentIDsPerCard { recent.removeFirst(recent.count - Self.recentIDsPerCard) }
            let shown = Shown(
                eventID: event.eventId, hasActor: event.actor != nil, assignees: event.issue.assignees,
                updateAt: event.issue.updateAt, recentIDs: recent)
            if state.shown.updateValue(shown, forKey: issue) == nil {
                state.order.append(issue)
                if state.order.count > capacity {
                    state.shown[state.order.removeFirst()] = nil
                }
            }
        }
    }
}
