import Foundation
import KafkaClient
import Logging
import Prometheus

/// What every service sets up first: configuration, logging, metrics, health checks and Kafka connection settings.
public struct ServiceBasics: Sendable {
    public let service: String
    public let config: ConfigSource
    public let logger: Logger
    public let registry: PrometheusCollectorRegistry
    public let health: HealthChecks
    public let kafka: KafkaClientSettings
    /// How long SIGTERM waits for in-flight work before the process stops anyway.
    public let gracePeriod: Duration

    /// Loads configuration and bootstraps logging and metrics. On a configuration error prints one line naming the
    /// variable and exits with code 2.
    public static func start(
        service: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        sections: Set<String> = []
    ) -> ServiceBasics {
        do throws(ConfigError) {
            let config = try ConfigSource.load(environment: environment, sections: sections)
            try LoggingSetup.bootstrap(config)
            let logger = Logger(label: service)
            for key in config.unknownEnvironmentKeys {
                logger.warning("unknown configuration variable ignored", metadata: ["variable": "\(key)"])
            }
            let kafka = try KafkaClientSettings(config: config, clientID: service)
            let grace = try config.seconds(.shutdownGracePeriod, default: .seconds(10))
            return ServiceBasics(
                service: service, config: config, logger: logger,
                registry: MetricsSetup.bootstrap(service: service),
                health: HealthChecks(), kafka: kafka, gracePeriod: grace)
        } catch {
            StartupFailure.exit(service: service, error)
        }
    }

    public init(
        service: String, config: ConfigSource, logger: Logger, registry: PrometheusCollectorRegistry,
        health: HealthChecks, kafka: KafkaClientSettings, gracePeriod: Duration
    ) {
        self.service = service
        self.config = config
        self.logger = logger
        self.registry = registry
        self.health = health
        self.kafka = kafka
        self.gracePeriod = gracePeriod
    }
}

extension KafkaClientSettings {
    /// Settings from `KAFKA_BROKERS` (required) and `KAFKA_PROP_*` / `kafka_properties`.
    public init(config: ConfigSource, clientID: String) throws(ConfigError) {
        let brokers = try config.required(.kafkaBrokers)
        let servers = brokers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for server in servers where !server.contains(":") || server.isEmpty {
            throw .invalid(
                variable: ConfigKey.kafkaBrokers.name, value: brokers, reason: "expected host:port[,host:port]")
        }
        self.init(
            bootstrapServers: servers.joined(separator: ","), clientID: clientID,
            extraProperties: config.kafkaProperties)
    }
}
