import Foundation

/// A configured destination: from a platform's environment variables (`SinkPlatform.environment`) or a named entry
/// of the routes file.
struct SinkDefinition: Sendable {
    var name: String
    var kind: SinkKind
    var url: String
    var secret: String?
    /// Client-side limits; empty = off.
    var limits: [RateWindow]
    var template: SinkTemplate?
    /// How long a rate-limit answer pauses every send to this sink.
    var rateLimitPause: Duration
    /// The platform's own routes-file fields (`SinkPlatform.routesFields`), resolved.
    var options: [String: String]

    init(
        name: String, kind: SinkKind, url: String, secret: String? = nil, limits: [RateWindow]? = nil,
        template: SinkTemplate? = nil, options: [String: String] = [:]
    ) {
        self.name = name
        self.kind = kind
        self.url = url
        self.secret = secret
        self.limits = limits ?? kind.documentedLimits
        self.template = template
        self.rateLimitPause = kind.rateLimitPause
        self.options = options
    }
}
