/// "At most `limit` messages in any `window`", the way the chat platforms state their limits.
struct RateWindow: Sendable, Equatable, CustomStringConvertible {
    var limit: Int
    var window: Duration

    init(limit: Int, per window: Duration) {
        self.limit = limit
        self.window = window
    }

    /// The window for a rate given in messages per second (`FEISHU_WEBHOOK_RATE_LIMIT=5`, `DINGTALK_RATE_LIMIT=0.33`).
    /// Returns nil for 0 (limiter off).
    static func perSecond(_ rate: Double) -> RateWindow? {
        guard rate > 0 else { return nil }
        if rate >= 1 { return RateWindow(limit: Int(rate.rounded(.down)), per: .seconds(1)) }
        return RateWindow(limit: 1, per: .milliseconds(Int64((1000 / rate).rounded(.up))))
    }

    var description: String { "\(limit)/\(window)" }
}
