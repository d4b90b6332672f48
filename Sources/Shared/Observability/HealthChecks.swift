import Synchronization

/// Named readiness checks of one process. `/readyz` is ready only when every check passes; `/healthz` only says the
/// process is alive.
///
/// Checks run in the background (`HealthRefresher`), never because someone asked: `/readyz` answers from `current`,
/// so a flood of readiness requests costs no broker round trip and cannot delay the work the checks look at.
public final class HealthChecks: Sendable {
    public typealias Check = @Sendable () async -> Bool

    private let checks = Mutex<[(name: String, check: Check)]>([])
    private let failures = Mutex<[String: String]>([:])
    /// Failing checks as of the last refresh; nil until the first one finished.
    private let lastRefresh = Mutex<[String: String]?>(nil)

    public init() {}

    /// Adds a check, run by every refresh.
    public func register(_ name: String, _ check: @escaping Check) {
        checks.withLock { $0.append((name, check)) }
    }

    /// Marks a component not ready with a reason (for example an invalid API key) until `clear`.
    public func fail(_ name: String, reason: String) {
        failures.withLock { $0[name] = reason }
    }

    public func clear(_ name: String) {
        _ = failures.withLock { $0.removeValue(forKey: name) }
    }

    /// Runs every check now and returns the failing components with their reasons; empty when ready.
    public func evaluate() async -> [String: String] {
        var failing = failures.withLock { $0 }
        for (name, check) in checks.withLock({ $0 }) where !(await check()) {
            failing[name] = failing[name] ?? "check failed"
        }
        return failing
    }

    /// Runs every check and remembers the outcome for `current`.
    public func refresh() async {
        var failing: [String: String] = [:]
        for (name, check) in checks.withLock({ $0 }) where !(await check()) {
            failing[name] = "check failed"
        }
        lastRefresh.withLock { $0 = failing }
    }

    /// The failing components without running anything: components marked failed now, and the checks as of the
    /// last refresh (all of them "not checked yet" before the first one).
    public var current: [String: String] {
        var failing =
            lastRefresh.withLock { $0 }
            ?? Dictionary(
                uniqueKeysWithValues: checks.withLock { $0 }.map { ($0.name, "not checked yet") })
        for (name, reason) in failures.withLock({ $0 }) { failing[name] = reason }
        return failing
    }
}
