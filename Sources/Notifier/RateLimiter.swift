/// A sliding-window limiter: a send is allowed when, in every window, fewer than `limit` sends happened within the
/// last `window`. This is how the platforms count ("20 messages per minute"), so a client that obeys it is never
/// rejected, unlike a token bucket whose refill can exceed a sliding window at the edges. A small `margin` is
/// added to each window to absorb the latency between our clock and the platform's.
///
/// A value type owned by one `SinkDispatcher` (an actor), so no locking.
struct RateLimiter: Sendable {
    let windows: [RateWindow]
    let margin: Duration
    /// The longest window's span (nil when unlimited): how long sends are remembered, what allowances are counted in.
    private let longest: Duration?
    /// Send times, oldest first, kept for the longest window.
    private var sent: [ContinuousClock.Instant] = []
    private var start = 0

    init(windows: [RateWindow], margin: Duration = .milliseconds(250)) {
        self.windows = windows
        self.margin = margin
        self.longest = windows.map(\.window).max()
    }

    /// When the latest send happened (nil before the first).
    var lastSend: ContinuousClock.Instant? { sent.last }

    /// When the next send may happen (`now` or later).
    func nextAllowed(now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        var earliest = now
        for window in windows {
            let span = window.window + margin
            let recent = sendsSince(now - span)
            if recent.count >= window.limit {
                // The send that must leave the window first.
                let blocking = recent[recent.endIndex - window.limit]
                earliest = max(earliest, blocking + span)
            }
        }
        return earliest
    }

    /// How many messages could be sent right now without waiting (nil when unlimited).
    /// This is the "what the rate allows" the storm rule compares the backlog with: the longest window's allowance.
    func immediateAllowance(now: ContinuousClock.Instant) -> Int? {
        guard let longest else { return nil }
        var allowance = Int.max
        for window in windows {
            let recent = sendsSince(now - (window.window + margin)).count
            if window.window == longest {
                allowance = min(allowance, max(0, window.limit - recent))
            } else {
                // A short window (per second) refills many times a minute: what it allows in the longest window.
                let refills = Int((longest / window.window).rounded(.down))
                allowance = min(allowance, window.limit * max(refills, 1))
            }
        }
        return allowance
    }

    /// Records a send at `now`.
    mutating func record(now: ContinuousClock.Instant) {
        guard let longest else { return }
        sent.append(now)
        let horizon = now - (longest + margin)
        while start < sent.count && sent[start] < horizon { start += 1 }
        if start > 1024 && start * 2 > sent.count {
            sent.removeFirst(start)
            start = 0
        }
    }

    private func sendsSince(_ instant: ContinuousClock.Instant) -> ArraySlice<ContinuousClock.Instant> {
        // `sent` is sorted: binary search for the first send at or after `instant`.
        var low = start
        var high = sent.count
        while low < high {
            let mid = (low + high) / 2
            if sent[mid] < instant { low = mid + 1 } else { high = mid }
        }
        return sent[low...]
    }
}
