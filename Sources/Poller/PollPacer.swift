/// How soon a poll woken by a Guance push may start: a token bucket of `burst` polls, refilled one per `refill`.
/// Every poll takes a token; an interval poll takes it even when there is none (the bucket goes into debt, and woken
/// polls wait longer). With `refill` = window / (polling share − burst), no window holds more listings than the key's
/// polling share, so bursts of pushes are answered at once without emptying the budget and stalling later polls.
struct PollPacer {
    let burst: Int
    let refill: Duration
    private var tokens: Double
    private var last: ContinuousClock.Instant

    init(burst: Int, refill: Duration, now: ContinuousClock.Instant = .now) {
        self.burst = max(burst, 1)
        self.refill = refill
        tokens = Double(self.burst)
        last = now
    }

    /// A poll starts at `now`.
    mutating func take(at now: ContinuousClock.Instant) {
        refill(to: now)
        tokens -= 1
    }

    /// When a woken poll may start: now when a token is there, else when the next one is.
    mutating func readyAt(_ now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        refill(to: now)
        guard refill > .zero, tokens < 1 else { return now }
        return now + refill * (1 - tokens)
    }

    private mutating func refill(to now: ContinuousClock.Instant) {
        guard refill > .zero else {
            tokens = Double(burst)
            return
        }
        if now > last { tokens = min(Double(burst), tokens + (now - last) / refill) }
        last = max(last, now)
    }
}
