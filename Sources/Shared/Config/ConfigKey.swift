import KafkaClient

/// Every configuration variable of the product, with who reads it and what it means.
/// The configuration table of docs/configuration.md and `.env.example` are checked against this list by the tests.
public struct ConfigKey: Sendable, Hashable {
    public let name: String
    public let meaning: String
    /// Shown as `***` wherever configuration is printed.
    public let isSecret: Bool

    public init(_ name: String, _ meaning: String, secret: Bool = false) {
        self.name = name
        self.meaning = meaning
        self.isSecret = secret
    }
}

extension ConfigKey {
    // MARK: - All services
    public static let kafkaBrokers = ConfigKey("KAFKA_BROKERS", "Kafka bootstrap servers, comma separated")
    public static let configFile = ConfigKey("CONFIG_FILE", "optional YAML file with the same keys; env wins")
    public static let logLevel = ConfigKey("LOG_LEVEL", "trace, debug, info, notice, warning, error; default info")
    public static let logFormat = ConfigKey("LOG_FORMAT", "text or json; default text")
    public static let metricsPort = ConfigKey("METRICS_PORT", "port of /metrics, /healthz, /readyz")
    public static let shutdownGracePeriod = ConfigKey(
        "SHUTDOWN_GRACE_PERIOD", "seconds to finish in-flight work on SIGTERM; default 10")
    public static let onConfigError = ConfigKey(
        "ON_CONFIG_ERROR",
        "exit (default): a configuration error stops the process with code 2; wait: the process logs it, writes it to "
            + "/tmp/not-configured and waits for SIGTERM (compose sets this, so an unconfigured service does not "
            + "restart in a loop)")
    public static let kafkaTopicPartitions = ConfigKey(
        "KAFKA_TOPIC_PARTITIONS", "partitions the compose init service creates the product topics with; default 6")

    /// Keys every service reads.
    public static let commonKeys: [ConfigKey] = [
        kafkaBrokers, configFile, logLevel, logFormat, metricsPort, shutdownGracePeriod, kafkaTopicPartitions,
        onConfigError,
    ]

    /// Whether some service of the product reads a key of this name (`productKeyNames`), or it is a librdkafka
    /// property (`KAFKA_PROP_*`).
    public static func isKnown(_ name: String) -> Bool {
        productKeyNames.contains(name) || name.hasPrefix(ConfigSource.kafkaPropertyPrefix)
    }
}
