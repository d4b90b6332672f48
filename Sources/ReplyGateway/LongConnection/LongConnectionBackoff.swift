import FeishuKit
import KafkaClient
import ServiceKit
import Timing

/// When to try again after the connection ended or an attempt failed.
///
/// Attempt 0 (right after a drop) waits a random time up to `ReconnectNonce`, as the official SDKs do, so that many
/// clients dropped together do not return together. Later attempts are the shared `Backoff`: doubling from `minimum`
/// up to `ReconnectInterval`, each with jitter (between half and all of the step).
struct LongConnectionBackoff: Sendable {
    var minimum: Duration

    func delay(
        attempt: Int, config: FeishuLongConnectionClientConfigValues, random: (ClosedRange<Double>) -> Double
    ) -> Duration {
        let nonce = Double(max(config.reconnectNonce, 0))
        if attempt == 0 { return .milliseconds(Int64(random(0...nonce) * 1000)) }
        let backoff = Backoff(initial: minimum, maximum: max(.seconds(config.reconnectInterval), minimum))
        return backoff.delay(afterFailures: attempt, factor: random(backoff.jitter))
    }
}

/// `FeishuLongConnectionClientConfig` with every value present.
struct FeishuLongConnectionClientConfigValues: Sendable, Equatable {
    var reconnectCount: Int
    var reconnectInterval: Int
    var reconnectNonce: Int
    var pingInterval: Int

    init(_ config: FeishuLongConnectionClientConfig, fallback: FeishuLongConnectionClientConfig = .sdkDefaults) {
        let merged = config.over(fallback)
        reconnectCount = merged.reconnectCount ?? -1
        reconnectInterval = max(merged.reconnectInterval ?? 120, 0)
        reconnectNonce = max(merged.reconnectNonce ?? 30, 0)
        // A ping at least every second and at most every ten minutes, whatever the server says.
        pingInterval = min(max(merged.pingInterval ?? 120, 1), 600)
    }
}

extension Duration {
    /// Seconds as a Double.
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
