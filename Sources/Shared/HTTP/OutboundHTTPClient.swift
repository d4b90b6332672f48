import AsyncHTTPClient
import NIOCore
import NIOHTTPCompression

extension HTTPClient.Configuration {
    /// For calls to outside APIs (Guance OpenAPI, Feishu app API, DingTalk session replies).
    ///
    /// Redirects are never followed: requests carry credentials (`DF-API-KEY`, `app_secret`, tenant tokens) that must
    /// reach no origin but the configured one, so a 3xx is answered to the caller as it is and treated as a failure.
    /// Gzip accepted (ratio-limited), pooled connections, a 5 s connect timeout.
    public static var outbound: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .enabled(limit: .ratio(100))
        configuration.timeout = .init(connect: .seconds(5))
        configuration.connectionPool = .init(idleTimeout: .seconds(60))
        return configuration
    }
}

extension HTTPClient {
    /// The process-wide client with the `outbound` configuration. Like `HTTPClient.shared` it lives as long as the
    /// process and is never shut down.
    public static let outbound = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .outbound)
}
