/// A sliding-window limiter counting requests the way the platform receives them: a send is allowed when, in every
/// window, fewer than `limit` requests could fall inside one window of the platform's clock.
///
/// When the platform counts a request is somewhere between our start of it and its answer. So a request in flight
/// counts as if it arrived now and stays counted until its answer comes; an answered request counts until `window`
/// after its answer. Concurrent sends and retries are requests like any other. A sliding window (not a token
/// bucket, whose refill can exceed a window at its edges) is how the platforms state their limits ("20 per minute"),
/// and a small `margin` on each window absorbs the difference between our clock and the platform's.
///
/// A value type owned by one `SinkDispatcher` (an actor), so no locking.
struct RateLimiter: Sendable {
    let windows: [RateWindow]
    let margin: Duration
    /// The longest window's span (nil when unlimited): how long answers are remembered, what allowances count in.
    private let longest: Duration?
    /// Answer times of finished requests, oldest first (the actor's clock only moves forward, so appends stay sorted).
    private var answered: [ContinuousClock.Instant] = []
    private var start = 0
    /// Requests sent and not answered yet.
    private(set) var inFlight = 0

    init(windows: [RateWindow], margin: Duration = .milliseconds(250)) {
        self.windows = windows
        self.margin = margin
        self.longest = windows.map(\.window).max()
    }

    /// When the next request may start: `now` or later; nil when only an answer of a request in flight can make room
    /// (the dispatcher is woken by every answer).
    func nextAllowed(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        var earliest = now
        for window in windows {
            let span = window.window + margin
            let recent = answeredSince(now - span)
            let excess = recent.count + inFlight - window.limit + 1
            guard excess > 0 else { continue }
            // The in-flight ones count until answered: only answered requests can leave the window.
            guard excess <= recent.count else { return nil }
            earliest = max(earliest, recent[recent.startIndex + excess - 1] + span)
        }
        return earliest
    }

    /// How many requests could start right now without waiting (nil when unlimited): the longest window's allowance,
    /// bounded by what the shorter windows allow in as long a time.
    func immediateAllowance(now: ContinuousClock.Instant) -> Int? {
        guard let longest else { return nil }
        var allowance = Int.max
        for window in windows {
            if window.window == longest {
                let counted = answeredSince(now - (window.window + margin)).count + inFlight
                allowance = min(allowance, max(0, window.limit - counted))
            } else {
                // A short window (per second) refills many times a minute: what it allows in the longest window.
                let refills = Int((longest / window.window).rounded(.down))
                allowance = min(allowance, window.limit * max(refills, 1))
            }
        }
        return allowance
    }

    /// A request starts.
    mutating func sent() {
        guard longest != nil else { return }
        inFlight += 1
    }

    /// One of the requests in flight got its answer, or we gave up waiting for it, at `now`.
    mutating func answered(now: ContinuousClock.Instant) {
        guard let longest else { return }
        inFlight = max(0, inFlight - 1)
        answered.append(now)
        let horizon = now - (longest + margin)
        while start < answered.count && answered[start] < horizon { start += 1 }
        if start > 1024 && start * 2 > answered.count {
            answered.removeFirst(start)
            start = 0
        }
    }

    private func answeredSince(_ instant: ContinuousClock.Instant) -> ArraySlice<ContinuousClock.Instant> {
        // `answered` is sorted: binary search for the first answer at or after `instant`.
        var low = start
        var high = answered.count
        while low < high {
            let mid = (low + high) / 2
            if answered[mid] < instant { low = mid + 1 } else { high = mid }
        }
        return answered[low...]
    }
}
