import Metrics
import Timing

/// Record-level metrics of the notifier (snake_case, `notifier_` prefix, labels from small fixed sets). The metric
/// objects are created once: looking them up per event costs more than the delivery's own work.
struct NotifierMetrics: Sendable {
    static let shared = NotifierMetrics()

    private let handledDelivered = Counter(label: "notifier_records_total", dimensions: [("outcome", "delivered")])
    private let handledDeadLettered = Counter(
        label: "notifier_records_total", dimensions: [("outcome", "dead_lettered")])
    private let handledUnrouted = Counter(label: "notifier_records_total", dimensions: [("outcome", "unrouted")])
    private let dlqDecode = Counter(label: "notifier_dlq_total", dimensions: [("reason", "decode")])
    private let dlqSchema = Counter(label: "notifier_dlq_total", dimensions: [("reason", "schema")])
    private let dlqSink = Counter(label: "notifier_dlq_total", dimensions: [("reason", "sink")])
    private let lagGauge = Gauge(label: "notifier_consumer_lag_seconds")

    /// Records parked in the DLQ, by reason class: decode, schema, sink.
    func deadLettered(reason: String) {
        switch reason {
        case "decode": dlqDecode.increment()
        case "schema": dlqSchema.increment()
        default: dlqSink.increment()
        }
    }

    /// Records whose offset was stored, by outcome: delivered, dead_lettered, unrouted.
    func handled(outcome: String) {
        switch outcome {
        case "delivered": handledDelivered.increment()
        case "dead_lettered": handledDeadLettered.increment()
        default: handledUnrouted.increment()
        }
    }

    /// Seconds between a record's Kafka timestamp and its handling (consumer lag in time).
    func lag(seconds: Double) {
        lagGauge.record(seconds)
    }
}

/// One sink's metrics, created once per sink.
struct SinkMetrics: Sendable {
    private let delivered: Counter
    private let digested: Counter
    private let failed: Counter
    private let attemptOK: Counter
    private let attemptRetryable: Counter
    private let attemptRateLimited: Counter
    private let attemptRejected: Counter
    private let retries: Counter
    private let digests: Counter
    private let digestedEvents: Counter
    private let latencyTimer: Timer
    private let depth: Gauge
    private let pausedGauge: Gauge

    init(sink: String) {
        func counter(_ label: String, _ extra: [(String, String)] = []) -> Counter {
            Counter(label: label, dimensions: [("sink", sink)] + extra)
        }
        delivered = counter("notifier_deliveries_total", [("outcome", "delivered")])
        digested = counter("notifier_deliveries_total", [("outcome", "digested")])
        failed = counter("notifier_deliveries_total", [("outcome", "failed")])
        attemptOK = counter("notifier_attempts_total", [("result", "ok")])
        attemptRetryable = counter("notifier_attempts_total", [("result", "retryable")])
        attemptRateLimited = counter("notifier_attempts_total", [("result", "rate_limited")])
        attemptRejected = counter("notifier_attempts_total", [("result", "rejected")])
        retries = counter("notifier_retries_total")
        digests = counter("notifier_digests_total")
        digestedEvents = counter("notifier_digested_events_total")
        latencyTimer = Timer(
            label: "notifier_delivery_duration_seconds", dimensions: [("sink", sink)], preferredDisplayUnit: .seconds)
        depth = Gauge(label: "notifier_sink_queue_depth", dimensions: [("sink", sink)])
        pausedGauge = Gauge(label: "notifier_sink_paused", dimensions: [("sink", sink)])
    }

    /// Events per outcome: delivered, digested (delivered inside a digest), failed (parked in the DLQ).
    func delivery(_ outcome: String) {
        switch outcome {
        case "delivered": delivered.increment()
        case "digested": digested.increment()
        default: failed.increment()
        }
    }

    /// HTTP attempts by result: ok, retryable, rate_limited, rejected.
    func attempt(_ result: String) {
        switch result {
        case "ok": attemptOK.increment()
        case "retryable": attemptRetryable.increment()
        case "rate_limited": attemptRateLimited.increment()
        default: attemptRejected.increment()
        }
    }

    func retry() { retries.increment() }

    func digest(events: Int) {
        digests.increment()
        digestedEvents.increment(by: events)
    }

    /// From enqueue to the platform's success answer.
    func latency(_ duration: Duration) { latencyTimer.recordNanoseconds(duration.nanoseconds) }

    /// Events waiting for the sink.
    func queueDepth(_ count: Int) { depth.record(count) }

    /// 1 while the sink waits out a platform's rate-limit penalty.
    func paused(_ paused: Bool) { pausedGauge.record(paused ? 1 : 0) }
}
