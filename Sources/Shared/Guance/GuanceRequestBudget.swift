import Synchronization

/// The request budget of one API key, shared by every call made with that key: locally by every client of the
/// process, and, with a `GuanceUsageLedger`, by every process that uses the key (pollers, writers, several
/// instances). Guance allows 20 requests per minute per key; window semantics are not documented, so this is a
/// sliding window, the strictest reading.
///
/// Locally, a slot is held from the moment a call is granted until its answer arrives, and then for one window
/// after that answer. With a ledger, a call additionally needs a granted claim in the shared log (see
/// `GuanceUsageWindow` for the rule); while Kafka cannot take claims, no call is made (fail closed).
///
/// Interactive callers (reply writes, card actions) go first: polling never takes the last `reserve` calls of a
/// window, waits while an interactive caller of this process waits, and — through a `demand` record in the log —
/// while one of any process waits.
public actor GuanceRequestBudget {
    public nonisolated let limit: Int
    public nonisolated let window: Duration
    /// Calls of each window polling leaves to interactive callers.
    public nonisolated let reserve: Int
    /// The key's short hash (metrics label and usage-log key).
    public nonisolated let key: String
    /// The shared log; nil = this process's budget only.
    public nonisolated let ledger: GuanceUsageLedger?
    private let clock = ContinuousClock()
    private let metrics = GuanceBudgetMetrics()
    /// Calls of the current window: the instant their slot ends (nil while in flight).
    private var slots: [UInt64: ContinuousClock.Instant?] = [:]
    private var nextID: UInt64 = 0
    /// After a rate-limit answer, no call is granted before this instant.
    private var pausedUntil: ContinuousClock.Instant?
    /// Callers waiting, by priority.
    private var waiting: [GuanceCallPriority: Int] = [:]
    /// When this process last announced waiting interactive callers in the log (nil: none announced).
    private var demandSince: ContinuousClock.Instant?
    /// A claim of this budget is travelling through the log: the next caller waits for its outcome rather than race
    /// it (two claims for the last call would both count, and one be wasted).
    private var claiming = false
    private let remainingGauge: Mutex<Int>

    /// `limit` calls per `window`; `limit <= 0` turns the limiter off. `key`: the key's hash (`keyHash(of:)`).
    public init(
        limit: Int = 20, window: Duration = .seconds(60), reserve: Int = 0, key: String = "-",
        ledger: GuanceUsageLedger? = nil
    ) {
        self.limit = limit
        self.window = window
        self.reserve = min(max(reserve, 0), max(limit - 1, 0))
        self.key = key
        self.ledger = ledger
        remainingGauge = Mutex(max(limit, 0))
    }

    /// The budget of `apiKey` under `settings`: shared through `ledger` when `settings.shared`.
    public init(apiKey: String, limit: Int, settings: GuanceBudgetSettings, ledger: GuanceUsageLedger?) {
        self.init(
            limit: limit, window: settings.window, reserve: settings.reserve,
            key: GuanceUsageRecord.keyHash(of: apiKey), ledger: settings.shared ? ledger : nil)
    }

    /// The window a shared claim counts in (see `GuanceBudgetSettings.claimWindow`).
    public nonisolated var claimWindow: Duration { GuanceBudgetSettings(window: window).claimWindow }

    /// A token proving a granted call; give it back with `finish`.
    public struct Grant: Sendable {
        let id: UInt64
    }

    /// Waits until a call of this priority may be made, then holds a slot for it. `keeping`: for polling, the calls
    /// of the window this call leaves to interactive callers when fewer than `reserve` (a lent reserve: polls woken
    /// by a push may use all but `keeping` of it; they still wait while an interactive caller waits).
    public func acquire(priority: GuanceCallPriority = .interactive, keeping: Int? = nil) async throws -> Grant {
        nextID += 1
        let id = nextID
        guard limit > 0 else { return Grant(id: id) }
        let started = clock.now
        waiting[priority, default: 0] += 1
        let result: Result<Grant, any Error>
        let kept = min(max(keeping ?? reserve, 0), reserve)
        do { result = .success(try await waitForSlot(id, priority: priority, reserve: kept)) } catch {
            result = .failure(error)
        }
        waiting[priority, default: 1] -= 1
        if waiting[.interactive, default: 0] == 0, demandSince != nil, let ledger {
            demandSince = nil
            await ledger.announce(.clear, key: key, window: claimWindow)
        }
        if case .success = result {
            metrics.call(key: key, priority: priority)
            metrics.waited(key: key, priority: priority, clock.now - started)
        }
        return try result.get()
    }

    private func waitForSlot(_ id: UInt64, priority: GuanceCallPriority, reserve: Int) async throws -> Grant {
        while true {
            try Task.checkCancellation()
            let now = clock.now
            if let pausedUntil, pausedUntil > now {
                try await Task.sleep(until: pausedUntil, clock: clock)
                continue
            }
            if priority == .polling, waiting[.interactive, default: 0] > 0 {
                try await Task.sleep(until: now + .milliseconds(20), clock: clock)
                continue
            }
            prune(now)
            guard slots.count < localLimit(priority, reserve: reserve) else {
                // Sleep until the earliest slot ends; if every slot is in flight, check again shortly.
                let ends = slots.values.compactMap { $0 }
                let wake = ends.min() ?? now + .milliseconds(20)
                try await Task.sleep(until: max(wake, now + .milliseconds(1)), clock: clock)
                continue
            }
            guard let ledger else {
                slots[id] = .some(nil)
                publishRemaining()
                return Grant(id: id)
            }
            if claiming {
                try await Task.sleep(until: now + .milliseconds(1), clock: clock)
                continue
            }
            if let wake = ledger.room(
                key: key, priority: priority, limit: limit, reserve: reserve, window: claimWindow)
            {
                if priority == .interactive, ledger.isReady { await announceDemand(ledger, now: now) }
                // A cleared demand or a freed call may come earlier than computed: look again often.
                try await Task.sleep(until: min(wake, clock.now + .milliseconds(100)), clock: clock)
                continue
            }
            slots[id] = .some(nil)  // held while the claim travels, so local callers do not overtake it
            publishRemaining()
            claiming = true
            let outcome: GuanceUsageLedger.ClaimOutcome
            do {
                defer { claiming = false }
                outcome = try await ledger.claim(
                    key: key, priority: priority, limit: limit, reserve: reserve, window: claimWindow)
            } catch {
                slots[id] = nil
                publishRemaining()
                if case .cancelled = error { throw CancellationError() }
                metrics.ledgerUnavailable(key: key)
                try await Task.sleep(until: clock.now + .milliseconds(500), clock: clock)
                continue
            }
            // A claim read back late is given up (it still counts in the log): the call must reach Guance within
            // the claim window's margin after the claim's log time.
            if outcome.decision == .granted, outcome.latency <= (claimWindow - window) / 2 {
                return Grant(id: id)
            }
            slots[id] = nil
            publishRemaining()
        }
    }

    /// Polling leaves the reserve to interactive callers of this process too.
    private func localLimit(_ priority: GuanceCallPriority, reserve: Int) -> Int {
        priority == .interactive ? limit : limit - reserve
    }

    /// Tells every process that an interactive caller waits (again after half a window, before it expires).
    private func announceDemand(_ ledger: GuanceUsageLedger, now: ContinuousClock.Instant) async {
        if let demandSince, now - demandSince < claimWindow / 2 { return }
        demandSince = now
        await ledger.announce(.demand, key: key, window: claimWindow)
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

    /// Calls that could be granted right now without waiting (as far as this process knows the shared log).
    public func remaining() -> Int {
        guard limit > 0 else { return Int.max }
        prune(clock.now)
        let local = max(limit - slots.count, 0)
        guard let ledger else { return local }
        let shared = ledger.counted(key: key, window: claimWindow).map { max(limit - $0, 0) } ?? 0
        return min(local, shared)
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
