import Events
import Synchronization

/// The last event each card was updated with, per issue, so a repeat of the same fact is not applied again.
///
/// A card action's change reaches the sink twice with the same event id: first from the reply writer, which knows
/// who clicked (`actor`), then from the poller's next listing, which does not. Applying the second would erase the
/// clicker's name from the card, so a repeat is skipped unless it adds an actor the applied one lacked. Kept in
/// memory only (bounded): after a restart a repeat is applied again, which shows the same status.
final class AppliedCardEvents: Sendable {
    private struct Applied {
        var eventID: String
        var hasActor: Bool
    }

    private struct State {
        var applied: [String: Applied] = [:]
        var order: [String] = []
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = max(capacity, 1)
    }

    /// True when the card of the event's issue already shows this event (same id, and an actor if it has one).
    func isRepeat(_ event: IssueEvent) -> Bool {
        state.withLock { state in
            guard let applied = state.applied[event.issue.uuid], applied.eventID == event.eventId else { return false }
            return applied.hasActor || event.actor == nil
        }
    }

    /// Remembers that the card of the event's issue now shows it.
    func record(_ event: IssueEvent) {
        state.withLock { state in
            let issue = event.issue.uuid
            if state.applied.updateValue(Applied(eventID: event.eventId, hasActor: event.actor != nil), forKey: issue)
                == nil
            {
                state.order.append(issue)
                if state.order.count > capacity {
                    state.applied[state.order.removeFirst()] = nil
                }
            }
        }
    }
}
