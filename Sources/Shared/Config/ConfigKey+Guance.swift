extension ConfigKey {
    public static let guanceOpenAPIURL = ConfigKey("GUANCE_OPENAPI_URL", "Guance OpenAPI base URL")
    public static let guanceAPIKey = ConfigKey("GUANCE_API_KEY", "Guance DF-API-KEY", secret: true)
    public static let guancePollInterval = ConfigKey("GUANCE_POLL_INTERVAL", "poll interval in seconds; default 5")
    public static let guanceConsoleURL = ConfigKey("GUANCE_CONSOLE_URL", "base URL of console links in messages")
    public static let guanceRateLimit = ConfigKey(
        "GUANCE_RATE_LIMIT", "OpenAPI requests per minute per API key; default 20")

    /// Keys of the Guance OpenAPI (poller and reply writer).
    public static let guanceKeys: [ConfigKey] = [
        guanceOpenAPIURL, guanceAPIKey, guancePollInterval, guanceConsoleURL, guanceRateLimit,
    ]
}
