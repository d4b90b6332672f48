import ServiceKit

extension ConfigKey {
    public static let guanceOpenAPIURL = ConfigKey("GUANCE_OPENAPI_URL", "Guance OpenAPI base URL")
    public static let guanceAPIKey = ConfigKey("GUANCE_API_KEY", "Guance DF-API-KEY", secret: true)
    /// Read by the poller (links in events) and by the reply writer (the `issue.updated` a card action publishes).
    public static let guanceConsoleURL = ConfigKey("GUANCE_CONSOLE_URL", "base URL of console links in messages")
    public static let guanceRateLimit = ConfigKey(
        "GUANCE_RATE_LIMIT", "OpenAPI requests per minute per API key; default 20")
    public static let guanceRateWindow = ConfigKey(
        "GUANCE_RATE_WINDOW", "seconds of the OpenAPI rate window (Guance: 60); default 60")
    public static let guanceRateReserve = ConfigKey(
        "GUANCE_RATE_RESERVE", "calls of each rate window polling leaves to reply writes and card actions; default 4")
    public static let guanceBudgetMode = ConfigKey(
        "GUANCE_BUDGET_MODE",
        "shared: one budget per API key across all processes, through Kafka topic guance.api-usage; local: per process; default shared"
    )

    /// Keys of the Guance OpenAPI client and its request budget (poller and reply writer).
    public static let guanceAPIKeys: [ConfigKey] = [
        guanceOpenAPIURL, guanceAPIKey, guanceRateLimit, guanceRateWindow, guanceRateReserve, guanceBudgetMode,
    ]
}
