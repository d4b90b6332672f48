/// "At most `limit` messages in any `window`", the way the chat platforms state their limits.
struct RateWindow: Sendable, Equatable, CustomStringConvertible {
    var limit: Int
    var window: Duration

    init(limit: Int, per window: Duration) {
        self.limit = limit
        self.window = window
    }

    /// Rates a sink may be configured with, in messages per second (besides 0, the limiter off): from one message per
    /// 1,000 s to 1,000 per second.
    static let acceptedRates: ClosedRange<Double> = 0.001...1000

    /// Whether `rate` is 0 or inside `acceptedRates` (so NaN, infinities and extremes are configuration errors).
    static func isAcceptable(_ rate: Double) -> Bool {
        rate == 0 || acceptedRates.contains(rate)
    }

    /// The window for a rate given in messages per second (`FEISHU_WEBHOOK_RATE_LIMIT=5`, `DINGTALK_RATE_LIMIT=0.33`).
    /// Returns nil for 0 (limiter off). Rates outside `acceptedRates` are clamped to it.
    static func perSecond(_ rate: Double) -> RateWindow? {
        guard rate > 0, !rate.isNaN else { return nil }
        let rate = min(max(rate, acceptedRates.lowerBound), acceptedRates.upperBound)
        if rate >= 1 { return RateWindow(limit: Int(rate.rounded(.down)), per: .seconds(1)) }
        return RateWindow(limit: 1, per: .milliseconds(Int64((1000 / rate).rounded(.up))))
    }

    var description: String { "\(limit)/\(window)" }
}
