import ServiceKit

/// How the OpenAPI budget of each key is kept: its window, the calls polling leaves to replies, and whether the
/// budget is shared by every process through Kafka or kept per process.
public struct GuanceBudgetSettings: Sendable, Equatable {
    /// The server's rate window (Guance: 60 s). Tests shrink it.
    public var window: Duration = .seconds(60)
    /// Calls of each window polling never claims: reply writes and card actions get them.
    public var reserve = 4
    /// True: one budget per key across all processes (`guance.api-usage`); false: per process (degraded mode).
    public var shared = true

    public init(window: Duration = .seconds(60), reserve: Int = 4, shared: Bool = true) {
        self.window = window
        self.reserve = reserve
        self.shared = shared
    }

    /// The window a claim counts in: the server's window plus a margin (a thirtieth of it, 2 s for a minute) for
    /// the time between a claim's log timestamp and the request reaching Guance, and for clock differences.
    public var claimWindow: Duration { window + window / 30 }

    /// Settings from `GUANCE_RATE_WINDOW`, `GUANCE_RATE_RESERVE` and `GUANCE_BUDGET_MODE`.
    public init(config: ConfigSource) throws(ConfigError) {
        window = try config.seconds(.guanceRateWindow, default: .seconds(60))
        guard window >= .seconds(1) else {
            throw .invalid(
                variable: ConfigKey.guanceRateWindow.name, value: "\(window)", reason: "expected >= 1 second")
        }
        reserve = try config.int(.guanceRateReserve, default: 4, range: 0...100_000)
        switch config.string(.guanceBudgetMode, default: "shared").lowercased() {
        case "shared": shared = true
        case "local": shared = false
        case let other:
            throw .invalid(variable: ConfigKey.guanceBudgetMode.name, value: other, reason: "expected shared or local")
        }
    }
}
