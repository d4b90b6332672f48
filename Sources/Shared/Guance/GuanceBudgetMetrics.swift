import Metrics
import Timing

/// The OpenAPI budget's metrics. `key` is the API key's short hash (`GuanceUsageRecord.keyHash`), never the key;
/// `process` is `<service>@<host>`; `priority` is `interactive` or `polling`.
struct GuanceBudgetMetrics: Sendable {
    /// A granted call of this process.
    func call(key: String, priority: GuanceCallPriority) {
        Counter(label: "guance_budget_calls_total", dimensions: [("key", key), ("priority", priority.rawValue)])
            .increment()
    }

    /// Time a caller waited for its slot (local budget and shared claims together).
    func waited(key: String, priority: GuanceCallPriority, _ duration: Duration) {
        Timer(label: "guance_budget_wait_seconds", dimensions: [("key", key), ("priority", priority.rawValue)])
            .recordNanoseconds(duration.nanoseconds)
    }

    /// A claim read back: how long the round trip through the log took, and whether it was granted.
    func claimed(
        key: String, latency: Duration, decision: GuanceUsageWindow.Decision, priority: GuanceCallPriority
    ) {
        Timer(label: "guance_budget_claim_seconds", dimensions: [("key", key)])
            .recordNanoseconds(latency.nanoseconds)
        if decision == .denied {
            Counter(
                label: "guance_budget_claims_denied_total",
                dimensions: [
                    ("key", key), ("priority", priority.rawValue),
                ]
            ).increment()
        }
    }

    /// Claims each process has in the current window of a key, and the key's limit: the budget's shares.
    func shares(key: String, limit: Int, byProcess: [String: Int]) {
        for (process, count) in byProcess {
            Gauge(label: "guance_budget_window_calls", dimensions: [("key", key), ("process", process)]).record(count)
        }
        Gauge(label: "guance_budget_limit", dimensions: [("key", key)]).record(limit)
    }

    /// Claims that could not be appended (Kafka unavailable): the call waits, fail closed.
    func ledgerUnavailable(key: String) {
        Counter(label: "guance_budget_ledger_errors_total", dimensions: [("key", key)]).increment()
    }
}
