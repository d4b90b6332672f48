import AsyncHTTPClient

extension HTTPClient {
    /// The process-wide client for calls to outside APIs (Guance OpenAPI, Feishu app API, DingTalk session replies).
    ///
    /// It never follows redirects: requests carry credentials (`DF-API-KEY`, `app_secret`, tenant tokens) that must
    /// reach no origin but the configured one, so a 3xx is answered to the caller as it is and treated as a failure.
    /// Like `HTTPClient.shared` it lives as long as the process and is never shut down.
    public static let outbound: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .enabled(limit: .ratio(100))
        configuration.timeout = .init(connect: .seconds(5))
        configuration.connectionPool = .init(idleTimeout: .seconds(60))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
