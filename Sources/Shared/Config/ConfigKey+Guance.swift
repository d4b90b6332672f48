extension ConfigKey {
    public static let guanceOpenAPIURL = ConfigKey("GUANCE_OPENAPI_URL", "Guance OpenAPI base URL")
    public static let guanceAPIKey = ConfigKey("GUANCE_API_KEY", "Guance DF-API-KEY", secret: true)
    public static let guancePollInterval = ConfigKey("GUANCE_POLL_INTERVAL", "poll interval in seconds; default 5")
    public static let guanceConsoleURL = ConfigKey("GUANCE_CONSOLE_URL", "base URL of console links in messages")
    public static let guanceRateLimit = ConfigKey(
        "GUANCE_RATE_LIMIT", "OpenAPI requests per minute per API key; default 20")
    public static let guanceRateWindow = ConfigKey(
        "GUANCE_RATE_WINDOW", "seconds of the OpenAPI rate window (Guance: 60); default 60")
    public static let guanceRateReserve = ConfigKey(
        "GUANCE_RATE_RESERVE", "calls of each rate window polling leaves to reply writes and card actions; default 4")
    public static let guanceBudgetMode = ConfigKey(
        "GUANCE_BUDGET_MODE",
        "shared: one budget per API key across all processes, through Kafka topic guance.api-usage; local: per process; default shared")
    public static let guanceChannel = ConfigKey(
        "GUANCE_CHANNEL", "poller: channel name to list (default `default`) or a channel uuid (chan_...)")
    public static let guancePollOverlap = ConfigKey(
        "GUANCE_POLL_OVERLAP", "poller: seconds each listing reaches back before the cursor; default 60")
    public static let guancePollLookback = ConfigKey(
        "GUANCE_POLL_LOOKBACK", "poller: on a target's first start, announce issues this many seconds old; default 300")
    public static let guanceTrackWindow = ConfigKey(
        "GUANCE_TRACK_WINDOW", "poller: seconds of issues swept for status/level changes (spare budget only); default 86400, 0 = off")
    public static let guancePollerSessionTimeout = ConfigKey(
        "GUANCE_POLLER_SESSION_TIMEOUT", "poller: seconds before a dead instance's targets move to another; default 10")

    /// Keys of the Guance OpenAPI (poller and reply writer).
    public static let guanceKeys: [ConfigKey] = [
        guanceOpenAPIURL, guanceAPIKey, guancePollInterval, guanceConsoleURL, guanceRateLimit, guanceRateWindow,
        guanceRateReserve, guanceBudgetMode, guanceChannel,
        guancePollOverlap, guancePollLookback, guanceTrackWindow, guancePollerSessionTimeout,
    ]
}
