import Metrics

/// The poller's metrics. Labels come from small fixed sets (outcome, kind) and the configured target names.
struct PollerMetrics: Sendable {
    func poll(target: String, outcome: String) {
        Counter(label: "poller_polls_total", dimensions: [("target", target), ("outcome", outcome)]).increment()
    }

    func published(target: String, kind: String, count: Int = 1) {
        Counter(label: "poller_events_published_total", dimensions: [("target", target), ("kind", kind)])
            .increment(by: count)
    }

    /// A poll started early because Guance pushed (coalesced: one per wait, however many pushes arrived).
    func wakeup(target: String) {
        Counter(label: "poller_wakeups_total", dimensions: [("target", target)]).increment()
    }

    func rejectedItems(target: String, count: Int) {
        Counter(label: "poller_rejected_items_total", dimensions: [("target", target)]).increment(by: count)
    }

    func budgetRemaining(target: String, _ value: Int) {
        Gauge(label: "poller_budget_remaining", dimensions: [("target", target)]).record(value)
    }

    /// Seconds between now and the start of the last successful poll of the target (how stale its events can be).
    func lag(target: String, seconds: Double) {
        Gauge(label: "poller_lag_seconds", dimensions: [("target", target)]).record(seconds)
    }

    /// Seconds from an issue's creation in Guance to its event being acknowledged by Kafka.
    func eventDelay(seconds: Double) {
        Recorder(label: "poller_event_delay_seconds", aggregate: true).record(seconds)
    }

    /// Targets no live instance polls (see `TargetOwnershipWatch`); anything above 0 also fails readiness.
    func unownedTargets(_ count: Int) {
        Gauge(label: "poller_targets_unowned").record(count)
    }

    func ownedTargets(_ count: Int) {
        Gauge(label: "poller_owned_targets").record(count)
    }
}
