import Metrics

/// The notifier's metrics (snake_case, `notifier_` prefix, labels from small fixed sets: sink names and outcomes).
struct NotifierMetrics: Sendable {
    /// Events handled per sink: delivered, digested (delivered inside a digest), failed (parked in the DLQ).
    func delivery(sink: String, outcome: String) {
        Counter(label: "notifier_deliveries_total", dimensions: [("sink", sink), ("outcome", outcome)]).increment()
    }

    /// HTTP attempts per sink by result: ok, retryable, rejected, rate_limited.
    func attempt(sink: String, result: String) {
        Counter(label: "notifier_attempts_total", dimensions: [("sink", sink), ("result", result)]).increment()
    }

    func retry(sink: String) {
        Counter(label: "notifier_retries_total", dimensions: [("sink", sink)]).increment()
    }

    func digest(sink: String, events: Int) {
        Counter(label: "notifier_digests_total", dimensions: [("sink", sink)]).increment()
        Counter(label: "notifier_digested_events_total", dimensions: [("sink", sink)]).increment(by: events)
    }

    /// Records parked in the DLQ, by reason class: decode, schema, sink.
    func deadLettered(reason: String) {
        Counter(label: "notifier_dlq_total", dimensions: [("reason", reason)]).increment()
    }

    /// Records whose offset was stored, by outcome: delivered, dead_lettered, unrouted.
    func handled(outcome: String) {
        Counter(label: "notifier_records_total", dimensions: [("outcome", outcome)]).increment()
    }

    /// From enqueue to the platform's success answer.
    func latency(sink: String, _ duration: Duration) {
        Timer(label: "notifier_delivery_duration_seconds", dimensions: [("sink", sink)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// Events waiting for a sink.
    func queueDepth(sink: String, _ depth: Int) {
        Gauge(label: "notifier_sink_queue_depth", dimensions: [("sink", sink)]).record(depth)
    }

    /// Seconds between a record's Kafka timestamp and its handling (consumer lag in time).
    func lag(seconds: Double) {
        Gauge(label: "notifier_consumer_lag_seconds").record(seconds)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
