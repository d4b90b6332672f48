/// When a poll woken by a Guance push may start. It counts the target's OpenAPI calls (listings, sweep pages, reply
/// lists; interval polls included) in a sliding window like Guance's, at three scales: at most `share` calls in any
/// window, at most `share / 2 + burst` in any half window and `share / 4 + burst` in any quarter. A push is answered
/// at once while all three have room, so the key's share is spent on pushes as they come rather than metered out at
/// an average rate (a token bucket refilled at the average leaves Poisson arrivals waiting for a token); a storm of
/// pushes is spread over the window instead of emptying it in its first seconds and then waiting for calls to age
/// out. `share <= 0`: no pacing.
struct PollPacer {
    let share: Int
    let burst: Int
    let window: Duration
    /// Start instants of the calls still inside the window, oldest first.
    private var calls: [ContinuousClock.Instant] = []

    init(share: Int, burst: Int, window: Duration) {
        self.share = share
        self.burst = max(burst, 0)
        self.window = window
    }

    /// `count` calls started at `now` (interval polls too: they are counted, never held back).
    mutating func record(_ count: Int = 1, at now: ContinuousClock.Instant) {
        guard share > 0, count > 0 else { return }
        calls.removeAll { $0 <= now - window }
        let index = calls.lastIndex { $0 <= now }.map { $0 + 1 } ?? 0
        calls.insert(contentsOf: repeatElement(now, count: count), at: index)
    }

    /// Calls in the window that ends at `now`.
    func used(at now: ContinuousClock.Instant) -> Int {
        calls.count { $0 > now - window }
    }

    /// Whether the window is at most half used (room for extra calls such as the update sweep's).
    func isQuiet(at now: ContinuousClock.Instant) -> Bool {
        share <= 0 || used(at: now) * 2 <= share
    }

    /// The earliest instant from `now` on at which a woken poll keeps every scale within its cap.
    func readyAt(_ now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        guard share > 0 else { return now }
        var ready = now
        for (span, cap) in scales {
            let inSpan = calls.filter { $0 > now - span }
            guard inSpan.count >= cap else { continue }
            // The poll fits once the oldest `count - cap + 1` calls of the span have left it.
            ready = max(ready, inSpan[inSpan.count - cap] + span)
        }
        return ready
    }

    /// (span, most calls in any span) from the whole window down to a quarter of it.
    private var scales: [(Duration, Int)] {
        [
            (window, share),
            (window / 2, min(share, max(share / 2, 1) + burst)),
            (window / 4, min(share, max(share / 4, 1) + burst)),
        ]
    }
}
