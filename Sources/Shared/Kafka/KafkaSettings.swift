import Timing

/// Settings shared by every Kafka client: where the brokers are and any extra librdkafka properties.
///
/// `properties` maps typed fields to librdkafka keys in one place. `extraProperties` passes anything else through
/// unchanged (`security.protocol`, `sasl.*`, `ssl.*` for managed Kafka); librdkafka validates them at client creation.
public struct KafkaClientSettings: Sendable {
    /// Bootstrap servers, comma separated (`host:port,host:port`).
    public var bootstrapServers: String
    /// `client.id` as seen by the brokers.
    public var clientID: String = "guance-chatops"
    /// Any librdkafka property; these win over the typed fields.
    public var extraProperties: [String: String] = [:]
    /// How long a broker may stay unreachable before requests fail (`socket.connection.setup.timeout.ms`).
    public var connectionSetupTimeout: Duration = .seconds(10)

    public init(bootstrapServers: String, clientID: String = "guance-chatops", extraProperties: [String: String] = [:])
    {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.extraProperties = extraProperties
    }

    var baseProperties: [String: String] {
        [
            "bootstrap.servers": bootstrapServers,
            "client.id": clientID,
            "socket.connection.setup.timeout.ms": String(connectionSetupTimeout.milliseconds),
            "log.connection.close": "false",
        ]
    }
}

/// Settings of a `KafkaProducerClient`.
public struct KafkaProducerSettings: Sendable {
    public var client: KafkaClientSettings
    /// Exactly-once per partition on retries (`enable.idempotence`).
    public var idempotent = true
    /// How long librdkafka keeps retrying a message before `send` fails (`message.timeout.ms`).
    public var messageTimeout: Duration = .seconds(30)
    /// How long to wait for more messages to batch (`linger.ms`).
    public var linger: Duration = .milliseconds(5)
    /// Messages sent but not yet acknowledged; `send` waits (back-pressure) when this many are outstanding.
    public var maxInFlightMessages = 10_000

    public init(client: KafkaClientSettings) {
        self.client = client
    }

    /// The librdkafka configuration these settings stand for.
    public var properties: [String: String] {
        var properties = client.baseProperties
        properties["enable.idempotence"] = String(idempotent)
        properties["acks"] = "all"
        properties["message.timeout.ms"] = String(messageTimeout.milliseconds)
        properties["linger.ms"] = String(linger.milliseconds)
        properties["queue.buffering.max.messages"] = String(max(maxInFlightMessages * 2, 1000))
        properties.merge(client.extraProperties) { _, extra in extra }
        return properties
    }
}

/// Settings of a `KafkaConsumerClient` (a member of a consumer group).
public struct KafkaConsumerSettings: Sendable {
    public var client: KafkaClientSettings
    public var groupID: String
    public var topics: [String]
    /// Where a group without committed offsets starts (`auto.offset.reset`).
    public var startFromEarliest = true
    /// A member silent for this long is considered dead and its partitions move (`session.timeout.ms`).
    public var sessionTimeout: Duration = .seconds(10)
    /// How often stored offsets are committed in the background (`auto.commit.interval.ms`).
    public var commitInterval: Duration = .seconds(1)
    /// How many records one poll hands over at most.
    public var batchSize = 500
    /// Static membership id (`group.instance.id`), if any.
    public var groupInstanceID: String?
    /// Incremental (cooperative-sticky) rebalancing: when a member joins or dies, the others keep the partitions they
    /// have and go on working; only the moving partitions are revoked (`partition.assignment.strategy`).
    public var cooperativeRebalancing = false

    public init(client: KafkaClientSettings, groupID: String, topics: [String]) {
        self.client = client
        self.groupID = groupID
        self.topics = topics
    }

    /// The librdkafka configuration these settings stand for.
    public var properties: [String: String] {
        var properties = client.baseProperties
        properties["group.id"] = groupID
        properties["enable.auto.offset.store"] = "false"
        properties["enable.auto.commit"] = "true"
        properties["auto.commit.interval.ms"] = String(commitInterval.milliseconds)
        properties["auto.offset.reset"] = startFromEarliest ? "earliest" : "latest"
        properties["session.timeout.ms"] = String(sessionTimeout.milliseconds)
        properties["heartbeat.interval.ms"] = String(max(sessionTimeout.milliseconds / 4, 100))
        properties["enable.partition.eof"] = "false"
        properties["partition.assignment.strategy"] = cooperativeRebalancing ? "cooperative-sticky" : "range,roundrobin"
        if let groupInstanceID { properties["group.instance.id"] = groupInstanceID }
        properties.merge(client.extraProperties) { _, extra in extra }
        return properties
    }
}

/// librdkafka property names whose values are secrets and must never be logged.
public enum KafkaSecretProperties {
    /// True when the property's value must be shown as `***`.
    public static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["password", "secret", "sasl.oauthbearer.config", "ssl.key.pem", "ssl_key", "token"]
            .contains { lowered.contains($0) }
    }

    /// The properties with secret values masked, for logs.
    public static func redacted(_ properties: [String: String]) -> [String: String] {
        properties.reduce(into: [:]) { result, pair in
            result[pair.key] = isSecret(pair.key) ? "***" : pair.value
        }
    }
}
