import Timing

/// How a Guance call is retried: rate limits, 5xx, timeouts and transport failures are retried with exponential
/// back-off and jitter, at most `maxAttempts` times in all; anything else fails at once.
public struct GuanceRetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// The shortest wait after a rate-limit answer (the window is a minute; hammering does not help).
    public var rateLimitDelay: Duration

    public init(
        maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30),
        rateLimitDelay: Duration = .seconds(5)
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.rateLimitDelay = rateLimitDelay
    }

    /// No retries (each call is tried once).
    public static let none = GuanceRetryPolicy(maxAttempts: 1)

    /// The wait before attempt `attempt + 1` (attempt counts from 1): `Backoff`'s "equal jitter", half fixed, half
    /// random, so a retry always waits and many clients spread out.
    public func delay(afterAttempt attempt: Int, rateLimited: Bool) -> Duration {
        let base = rateLimited ? max(rateLimitDelay, baseDelay) : baseDelay
        return Backoff(initial: base, maximum: maxDelay).delay(afterFailures: attempt)
    }
}
