/// The replay of one key's usage log: what every process computes identically from the same records in offset
/// order, and so agrees on without a leader.
///
/// The rule: a claim with log time `T` (the record's timestamp), claim window `W`, limit `L` and reserve `R` is
/// granted when fewer than `L` claims (`L - R` for polling) earlier in the log have a time after `T - W`, and, for
/// polling, no interactive demand earlier in the log is live (newer than `T - W` and not cleared). Every claim
/// counts, granted or not: the decision then depends only on the last window of the log, so a process that starts
/// reading anywhere at least one window back computes the same decisions. A process claims only when its replay
/// shows room, so denied claims are rare (two processes racing for the last call).
public struct GuanceUsageWindow: Sendable {
    /// A claim in the log.
    public struct Claim: Sendable, Equatable {
        public var offset: Int64
        public var time: Int64
        public var process: String
        public var priority: GuanceCallPriority
        public var granted: Bool
    }

    public enum Decision: Sendable, Equatable {
        case granted
        case denied
    }

    /// Whether a claim made now would be granted, or the log time at which to look again.
    public enum Room: Sendable, Equatable {
        case now
        case after(Int64)
    }

    /// Claims still inside the longest window seen, in offset order.
    public private(set) var claims: [Claim] = []
    /// Live demands: process → log time of its latest demand.
    public private(set) var demands: [String: Int64] = [:]
    /// Before this log time, nothing is granted: the log did not reach a whole window back (records deleted).
    public var blindUntil: Int64?
    private var longestWindow: Int64 = 0
    private var newest: Int64 = .min

    public init() {}

    /// Applies one record read at `offset` with log time `time`; returns the decision for claims.
    @discardableResult
    public mutating func apply(_ record: GuanceUsageRecord, offset: Int64, time: Int64) -> Decision? {
        newest = max(newest, time)
        longestWindow = max(longestWindow, record.windowMs ?? 0)
        defer { prune() }
        switch record.kind {
        case .demand:
            demands[record.process] = max(demands[record.process] ?? .min, time)
            return nil
        case .clear:
            if let since = demands[record.process], since <= time { demands.removeValue(forKey: record.process) }
            return nil
        case .claim:
            let priority = record.priority ?? .polling
            let decision = decide(
                priority: priority, limit: record.limit ?? 0, reserve: record.reserve ?? 0,
                windowMs: record.windowMs ?? 0, at: time)
            claims.append(
                Claim(
                    offset: offset, time: time, process: record.process, priority: priority,
                    granted: decision == .granted))
            return decision
        }
    }

    /// The rule for a claim at log time `time` following every record applied so far.
    public func decide(priority: GuanceCallPriority, limit: Int, reserve: Int, windowMs: Int64, at time: Int64)
        -> Decision
    {
        room(priority: priority, limit: limit, reserve: reserve, windowMs: windowMs, at: time) == .now
            ? .granted : .denied
    }

    /// Whether a claim at log time `time` would be granted; if not, the earliest log time it could be.
    public func room(priority: GuanceCallPriority, limit: Int, reserve: Int, windowMs: Int64, at time: Int64) -> Room {
        var wake = Int64.min
        if let blindUntil, time < blindUntil { wake = blindUntil }
        let allowed = priority == .interactive ? limit : limit - reserve
        let counted = claims.filter { $0.time > time - windowMs }.map(\.time).sorted()
        if allowed <= 0 {
            wake = max(wake, time + windowMs)
        } else if counted.count >= allowed {
            // The claim fits once enough of the counted ones left the window.
            wake = max(wake, counted[counted.count - allowed] + windowMs + 1)
        }
        if priority == .polling {
            for since in demands.values where since > time - windowMs { wake = max(wake, since + windowMs + 1) }
        }
        return wake == .min ? .now : .after(wake)
    }

    /// Claims in the window ending at `time`, per process.
    public func claimsByProcess(windowMs: Int64, at time: Int64) -> [String: Int] {
        claims.filter { $0.time > time - windowMs }.reduce(into: [:]) { $0[$1.process, default: 0] += 1 }
    }

    /// Forgets what no window can count any more (a margin for timestamps that are not monotonic).
    private mutating func prune() {
        let horizon = newest - longestWindow - 10_000
        if let first = claims.first, first.time <= horizon { claims.removeAll { $0.time <= horizon } }
        demands = demands.filter { $0.value > horizon }
    }
}
