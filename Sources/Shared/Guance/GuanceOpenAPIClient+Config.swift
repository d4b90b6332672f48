import ServiceKit

extension GuanceOpenAPIClient.Settings {
    /// Settings from `GUANCE_OPENAPI_URL` (default `https://openapi.guance.com`) and `GUANCE_API_KEY` (required).
    public init(config: ConfigSource) throws(ConfigError) {
        let url = try config.url(.guanceOpenAPIURL, default: "https://openapi.guance.com")!
        self.init(baseURL: url, apiKey: try config.required(.guanceAPIKey))
    }
}

extension GuanceRequestBudget {
    /// A budget from `GUANCE_RATE_LIMIT` (requests per minute per key, default 20; `0` turns the limiter off).
    public static func fromConfig(_ config: ConfigSource) throws(ConfigError) -> GuanceRequestBudget {
        GuanceRequestBudget(limit: try config.int(.guanceRateLimit, default: 20, range: 0...100_000))
    }
}
