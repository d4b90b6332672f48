/// How soon a poll woken by a Guance push may start: a token bucket of `burst` polls, refilled one per `refill`, and
/// never more than `maxPerWindow` polls in any `window` (the key's polling share of its budget window). Every poll
/// takes a token; an interval poll takes it even when there is none (the bucket goes into debt, and woken polls wait
/// longer).
///
/// The bucket answers bursts of pushes at once; the window cap, not a slower refill, keeps them inside the budget.
/// So the sustained rate is the whole polling share (`refill` = window / share): pushes arriving about as often as
/// the share allows are polled at once instead of queueing behind a refill slower than their arrival.
struct PollPacer {
    let burst: Int
    let refill: Duration
    let window: Duration
    let maxPerWindow: Int
    private var tokens: Double
    private var last: ContinuousClock.Instant
    /// Start times of the latest polls, at most `maxPerWindow`, oldest first.
    private var recent: [ContinuousClock.Instant] = []

    init(
        burst: Int, refill: Duration, window: Duration = .zero, maxPerWindow: Int = 0,
        now: ContinuousClock.Instant = .now
    ) {
        self.burst = max(burst, 1)
        self.refill = refill
        self.window = window
        self.maxPerWindow = window > .zero ? max(maxPerWindow, self.burst) : 0
        tokens = Double(self.burst)
        last = now
    }

    /// A poll starts at `now`.
    mutating func take(at now: ContinuousClock.Instant) {
        refill(to: now)
        tokens -= 1
        guard maxPerWindow > 0 else { return }
        recent.append(now)
        if recent.count > maxPerWindow { recent.removeFirst(recent.count - maxPerWindow) }
    }

    /// When a woken poll may start: now when a token is there and the window has room, else when both are true.
    mutating func readyAt(_ now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        refill(to: now)
        var ready = now
        if refill > .zero, tokens < 1 { ready = now + refill * (1 - tokens) }
        if maxPerWindow > 0, recent.count == maxPerWindow { ready = max(ready, recent[0] + window) }
        return ready
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
