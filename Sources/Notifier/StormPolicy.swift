/// How a rate-limited sink spends its window: which events go one by one, when a storm's events go together in one
/// digest, and how often.
///
/// - **Calm.** An event that arrives on its own (nothing arrived within `linger` before it) goes out at once. Events
///   arriving close together first wait `linger` from the oldest of them, so the rest of a burst is known before
///   deciding; a few (`fewEvents`) still go one by one. Singles never use more than half of the window.
/// - **Storm.** Otherwise one message carries everything that waits, and such paced messages go at most every
///   `pace` (a quarter of the window's messages: DingTalk and WeCom every 12 s, Feishu every 2.4 s). What arrives in
///   between joins the next one, so the messages a storm costs depend on how long it lasts, not on how its events
///   arrive: at most a quarter of the window's messages per window, plus at most half of it in singles before.
/// - The storm lasts while a paced message went within the last half window.
///
/// A paced message carrying a single event is rendered as that event.
struct StormPolicy: Sendable, Equatable {
    /// The longest window (the one the platforms' per-minute limits describe).
    let window: RateWindow
    /// How long the oldest of events arriving close together waits for the rest of its burst.
    let linger: Duration
    /// Events in one message at most (a chat digest lists only the newest titles; a webhook digest carries all).
    let maxDigestEvents: Int
    /// A group of at most this many events on a calm sink still goes one by one.
    let fewEvents = 3

    enum Decision: Sendable, Equatable {
        /// Send the oldest waiting event on its own, now.
        case single
        /// Send one paced message with this many of the waiting events, now.
        case paced(events: Int)
        /// Nothing before this instant.
        case wait(until: ContinuousClock.Instant)
    }

    /// What waits at the sink.
    struct Backlog: Sendable, Equatable {
        /// Events queued (including ones waiting for a retry or behind a send of their partition).
        var waiting: Int
        /// When the oldest event that could go now arrived.
        var oldestArrival: ContinuousClock.Instant
        /// Whether the only waiting event arrived on its own (nothing arrived within `linger` before it).
        var isolated: Bool
    }

    /// The policy for a sink's limits; nil when it has none.
    init?(limits: [RateWindow], linger: Duration, maxDigestEvents: Int) {
        guard let longest = limits.max(by: { $0.window < $1.window }) else { return nil }
        self.window = longest
        self.linger = linger
        self.maxDigestEvents = max(1, maxDigestEvents)
    }

    /// Messages of the window that singles may use (sent and in flight included).
    var singlesShare: Int { window.limit / 2 }

    /// The spacing of paced messages.
    var pace: Duration { window.window / max(1, window.limit / 4) }

    /// How long after a paced message the sink stays in the storm.
    var stormMemory: Duration { window.window / 2 }

    /// `allowance`: messages the window still allows now; `lastPaced`: when the last paced message went.
    func decide(
        _ backlog: Backlog, allowance: Int, lastPaced: ContinuousClock.Instant?, now: ContinuousClock.Instant
    ) -> Decision {
        let storm = lastPaced.map { now - $0 < stormMemory } ?? false
        let usedAfterSingles = window.limit - allowance + backlog.waiting
        if !storm && usedAfterSingles <= singlesShare {
            if backlog.waiting == 1 && backlog.isolated { return .single }
            let gathered = backlog.oldestArrival + linger
            if gathered > now { return .wait(until: gathered) }
            if backlog.waiting <= fewEvents { return .single }
        }
        var due = backlog.oldestArrival + linger
        if let lastPaced { due = max(due, lastPaced + pace) }
        if due > now { return .wait(until: due) }
        return .paced(events: min(backlog.waiting, maxDigestEvents))
    }
}
