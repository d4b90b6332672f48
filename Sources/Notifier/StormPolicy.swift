/// How many events the next message of a rate-limited sink carries, and when it may go: the storm rule.
///
/// Half of the longest window is kept in reserve. While sending every waiting event on its own stays out of the
/// reserve, events go out one by one. Above the reserve, the backlog is spread as digests over the free part, so a
/// burst that is already waiting leaves at once. In the reserve, one message goes out every `window / reserve`
/// (DingTalk and WeCom: every 6 s; Feishu: every 1.2 s), carrying everything that waits: at that pace the reserve
/// never runs out, so a storm that keeps arriving waits seconds, never for the window to roll over, and the limiter
/// is never the one that says no.
struct StormPolicy: Sendable, Equatable {
    /// The longest window (the one the platforms' per-minute limits describe).
    let window: RateWindow
    /// Events in one digest spread over the free part at most (a paced digest carries all that waits: the pace is
    /// fixed, so capping it would let a long storm queue up).
    let maxDigestEvents: Int

    enum Decision: Sendable, Equatable {
        /// Send now, one message with this many of the waiting events.
        case send(events: Int)
        /// Pace: nothing before this instant.
        case wait(until: ContinuousClock.Instant)
    }

    /// The policy for a sink's limits; nil when it has none.
    init?(limits: [RateWindow], maxDigestEvents: Int) {
        guard let longest = limits.max(by: { $0.window < $1.window }) else { return nil }
        self.window = longest
        self.maxDigestEvents = max(1, maxDigestEvents)
    }

    var reserve: Int { window.limit / 2 }

    /// The spacing of messages while in the reserve.
    var pacingInterval: Duration { window.window / max(1, reserve) }

    /// `waiting` events are queued, the window still allows `allowance` messages, the last one went at `lastSend`.
    func decide(
        waiting: Int, allowance: Int, lastSend: ContinuousClock.Instant?, now: ContinuousClock.Instant
    ) -> Decision {
        if waiting <= allowance - reserve { return .send(events: 1) }
        if allowance > reserve {
            let free = allowance - reserve
            return .send(events: min(maxDigestEvents, (waiting + free - 1) / free))
        }
        if let lastSend, lastSend + pacingInterval > now { return .wait(until: lastSend + pacingInterval) }
        return .send(events: waiting)
    }
}
