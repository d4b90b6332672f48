import Timing

/// Bounded retries with exponential back-off and jitter (`Backoff`).
struct RetryPolicy: Sendable, Equatable {
    /// Attempts in total, the first included; after the last, the event goes to the DLQ.
    var maxAttempts: Int = 5
    /// The delay before the second attempt (before jitter); doubles each attempt.
    var baseDelay: Duration = .seconds(1)
    /// The cap of one delay.
    var maxDelay: Duration = .seconds(60)

    /// The delay before attempt `attempt + 1`, after `attempt` failed attempts (1-based); jitter spreads retries of
    /// many workers. (Rate-limit answers do not come here: they pause the whole sink.)
    func delay(afterAttempt attempt: Int, jitter: Double = Double.random(in: 0.5...1.0)) -> Duration {
        Backoff(initial: baseDelay, maximum: maxDelay).delay(afterFailures: attempt, factor: jitter)
    }
}
