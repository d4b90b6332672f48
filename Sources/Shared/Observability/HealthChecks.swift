import Synchronization

/// Named readiness checks of one process. `/readyz` is ready only when every check passes; `/healthz` only says the
/// process is alive.
public final class HealthChecks: Sendable {
    public typealias Check = @Sendable () async -> Bool

    private let checks = Mutex<[(name: String, check: Check)]>([])
    private let failures = Mutex<[String: String]>([:])

    public init() {}

    /// Adds a check evaluated on every `/readyz` request.
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

    /// The failing components with their reasons; empty when ready.
    public func evaluate() async -> [String: String] {
        var failing = failures.withLock { $0 }
        for (name, check) in checks.withLock({ $0 }) where !(await check()) {
            failing[name] = failing[name] ?? "check failed"
        }
        return failing
    }
}
