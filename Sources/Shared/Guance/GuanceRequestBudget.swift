import Synchronization

/// The request budget of one API key, shared by every call made with that key (poller and reply writer in one
/// process share one instance per key). Guance allows 20 requests per minute per key; window semantics are not
/// documented, so this is a sliding window, the strictest reading.
///
/// A slot is held from the moment a call is granted until its answer arrives, and then for one window after that
/// answer. The server receives a call between grant and answer, so any window of `window` length at the server
/// sees at most `limit` calls, whatever the network delay.
public actor GuanceRequestBudget {
    public nonisolated let limit: Int
    public nonisolated let window: Duration
    private let clock = ContinuousClock()
    /// Calls of the current window: the instant their slot ends (nil while in flight).
    private var slots: [UInt64: ContinuousClock.Instant?] = [:]
    private var nextID: UInt64 = 0
    /// After a rate-limit answer, no call is granted before this instant.
    private var pausedUntil: ContinuousClock.Instant?
    private let remainingGauge: Mutex<Int>

    /// `limit` calls per `window`; `limit <= 0` turns the limiter off.
    public init(limit: Int = 20, window: Duration = .seconds(60)) {
        self.limit = limit
        self.window = window
        remainingGauge = Mutex(max(limit, 0))
    }

    /// A token proving a granted call; give it back with `finish`.
    public struct Grant: Sendable {
        let id: UInt64
    }

    /// Waits until a call may be made, then holds a slot for it.
    public func acquire() async throws -> Grant {
        nextID += 1
        let id = nextID
        guard limit > 0 else { return Grant(id: id) }
        while true {
            try Task.checkCancellation()
            let now = clock.now
            if let pausedUntil, pausedUntil > now {
                try await Task.sleep(until: pausedUntil, clock: clock)
                continue
            }
            prune(now)
            if slots.count < limit {
                slots[id] = .some(nil)
                publishRemaining()
                return Grant(id: id)
            }
            // Sleep until the earliest slot ends; if every slot is in flight, check again shortly.
            let ends = slots.values.compactMap { $0 }
            let wake = ends.min() ?? now + .milliseconds(20)
            try await Task.sleep(until: max(wake, now + .milliseconds(1)), clock: clock)
        }
    }

    /// Marks the call answered: its slot ends one window from now.
    public func finish(_ grant: Grant) {
        guard limit > 0, slots[grant.id] != nil else { return }
        slots[grant.id] = .some(clock.now + window)
        publishRemaining()
    }

    /// The server said "rate limited": grant nothing for `delay`.
    public func pause(for delay: Duration) {
        let until = clock.now + delay
        if pausedUntil.map({ $0 < until }) ?? true { pausedUntil = until }
    }

    /// Calls that could be granted right now without waiting.
    public func remaining() -> Int {
        guard limit > 0 else { return Int.max }
        prune(clock.now)
        return max(limit - slots.count, 0)
    }

    /// Last known remaining calls, readable without awaiting the actor (for metrics gauges).
    public nonisolated var remainingSnapshot: Int { remainingGauge.withLock { $0 } }

    private func prune(_ now: ContinuousClock.Instant) {
        slots = slots.filter { _, end in end.map { $0 > now } ?? true }
    }

    private func publishRemaining() {
        let value = max(limit - slots.count, 0)
        remainingGauge.withLock { $0 = value }
    }
}
