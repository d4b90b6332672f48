/// Exponential back-off with jitter: the wait after the n-th failure in a row is `initial · 2^(n-1)`, capped at
/// `maximum`, then multiplied by a random factor from `jitter`, so that many clients failing together do not retry
/// in step. The default jitter, 0.5...1, keeps at least half of every wait ("equal jitter").
public struct Backoff: Sendable, Equatable {
    /// The wait after the first failure (before jitter).
    public var initial: Duration
    /// The longest wait (before jitter).
    public var maximum: Duration
    /// The range of the random factor; `1...1` turns jitter off.
    public var jitter: ClosedRange<Double>

    public init(initial: Duration, maximum: Duration, jitter: ClosedRange<Double> = 0.5...1) {
        precondition(jitter.lowerBound >= 0, "a negative jitter factor")
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The wait after `failures` failures in a row (1 = the first), with a random jitter factor.
    public func delay(afterFailures failures: Int) -> Duration {
        delay(afterFailures: failures, factor: Double.random(in: jitter))
    }

    /// The wait after `failures` failures in a row with a given jitter `factor` (for tests).
    public func delay(afterFailures failures: Int, factor: Double) -> Duration {
        let exponent = min(max(failures - 1, 0), 30)
        let exponential = initial * (1 << exponent)
        // `initial * 2^30` may pass `maximum` by far, never overflow: Duration holds 2^63 seconds.
        return min(exponential, maximum) * factor
    }

    /// Sleeps for the wait after `failures` failures in a row; throws `CancellationError` when cancelled.
    public func sleep(afterFailures failures: Int) async throws {
        try await Task.sleep(for: delay(afterFailures: failures))
    }
}
