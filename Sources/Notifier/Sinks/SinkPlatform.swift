import Events
import Foundation
import KafkaClient
import Logging
import ServiceKit

/// One chat platform the notifier delivers to: everything the rest of the notifier may know about it. Each platform
/// has its home under `Sources/Notifier/Sinks/` and is listed once in `SinkKind.allCases`; the dispatcher, the routes
/// file, the configuration and the storm digests only talk to this protocol.
protocol SinkPlatform: SendableMetatype {
    /// The `type` of the routes file (`feishu`, `slack`, ...).
    static var type: String { get }
    /// The platform's documented rate limits (the client-side default).
    static var documentedLimits: [RateWindow] { get }
    /// How long a rate-limit answer stops all sends to a sink of this platform.
    static var rateLimitPause: Duration { get }
    /// The largest request body the platform accepts (renderings trim descriptions to stay under it); nil: none known.
    static var maxBodyBytes: Int? { get }
    /// Whether a routes-file `template` renders the text inside the platform's envelope or the whole JSON body.
    static var templateMode: SinkTemplate.Mode { get }
    /// The sink configured by environment variables; nil when the platform is configured in the routes file only.
    static var environment: SinkEnvironment? { get }
    /// Routes-file fields of this platform beyond the common ones (`type`, `url`, `secret`, `rate_limit`, `template`
    /// and their `_env` forms); their values land in `SinkDefinition.options`.
    static var routesFields: [String] { get }

    /// The body for one event, with the built-in rendering (a whole-body template is applied before this).
    static func render(_ event: IssueEvent, raw: [UInt8], renderer: MessageRenderer) -> [UInt8]
    /// The body of one storm digest standing for `events`.
    static func renderDigest(_ digest: MessageRenderer.Digest, events: [IssueEvent], renderer: MessageRenderer)
        -> [UInt8]
    /// A Guance title made inert for the platform's markup (the one place digests put Guance text into markup).
    static func inert(_ title: String) -> String

    /// The sink configured by environment variables, if they are set (default: from `environment`).
    static func environmentSink(_ config: ConfigSource) throws(ConfigError) -> SinkDefinition?
    /// The `url` of a routes-file sink that names none (nil: `url` is required).
    static var defaultURL: String? { get }
    /// What is wrong with a sink's platform settings (nil: nothing), checked when the configuration is loaded.
    static func problem(with definition: SinkDefinition) -> String?

    /// How a configured sink of this platform sends. Called once per sink at start.
    static func makeDelivery(_ definition: SinkDefinition, transport: any SinkTransport, context: SinkContext)
        -> any SinkDelivery
}

extension SinkPlatform {
    static func environmentSink(_ config: ConfigSource) throws(ConfigError) -> SinkDefinition? {
        guard let environment, let url = try config.url(environment.url) else { return nil }
        var limits: [RateWindow]?
        if let key = environment.rateLimit { limits = try NotifierConfig.limits(key, config) }
        let secret = environment.secret.flatMap { config.string($0) }
        return SinkDefinition(name: environment.name, kind: SinkKind(self), url: url, secret: secret, limits: limits)
    }

    static var defaultURL: String? { nil }

    static func problem(with definition: SinkDefinition) -> String? { nil }
}

/// What a stateful sink may need beyond its definition: the Kafka cluster and producer (state kept on a topic) and
/// the sink's logger. Plain webhooks need none of it.
struct SinkContext: Sendable {
    var kafka: KafkaClientSettings?
    var publisher: (any DeadLetterPublisher)?
    var logger: Logger

    init(kafka: KafkaClientSettings? = nil, publisher: (any DeadLetterPublisher)? = nil, logger: Logger) {
        self.kafka = kafka
        self.publisher = publisher
        self.logger = logger
    }
}

/// What a sink is asked to send: one event, or a digest standing for several (every event counts as delivered when
/// the digest is).
enum SinkMessage: Sendable {
    case event(IssueEvent, raw: [UInt8])
    case digest([IssueEvent])
}

/// How one configured sink delivers a message and reads the platform's answer. A plain webhook renders, signs, makes
/// one POST and classifies the answer (`WebhookDelivery`); a stateful sink (an app API that sends a card, then
/// patches it or replies in its thread) may make several calls per message and keep state, loaded in `run()`.
protocol SinkDelivery: Sendable {
    /// Sends one message; never throws: every failure is an outcome with its reason.
    func deliver(_ message: SinkMessage, renderer: MessageRenderer, timeout: Duration) async -> SendOutcome
    /// Runs for the sink's lifetime in the dispatcher's task group (state loading, refreshes); returns when cancelled
    /// or when it has nothing to run.
    func run() async
}

/// The environment variables that configure a platform's default sink (named `name`).
struct SinkEnvironment: Sendable {
    var name: String
    /// The prefix all its variables share; a misspelt variable under it is reported at start as a likely typo.
    var prefix: String
    var url: ConfigKey
    var secret: ConfigKey?
    /// Messages per second overriding the documented limits; 0 turns the limiter off.
    var rateLimit: ConfigKey?

    /// Every variable of the sink.
    var keys: [ConfigKey] { [url] + [secret, rateLimit].compactMap { $0 } }
}
