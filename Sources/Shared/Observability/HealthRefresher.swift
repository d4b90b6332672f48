import ServiceLifecycle

/// Runs a process's readiness checks every `interval` until graceful shutdown, so that `/readyz` answers from the
/// last outcome (`HealthChecks.current`) instead of running checks per request.
public struct HealthRefresher: Service {
    public let health: HealthChecks
    public let interval: Duration

    public init(health: HealthChecks, interval: Duration = .seconds(2)) {
        self.health = health
        self.interval = interval
    }

    public func run() async throws {
        // Graceful shutdown ends the wait at once: a check interval must not delay the process's exit.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await health.refresh()
                try await Task.sleep(for: interval)
            }
        }
    }
}
