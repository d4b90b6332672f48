import CKafka
import Events
import KafkaClient

/// An in-memory Kafka cluster from librdkafka's mock API: the real Kafka protocol over TCP on 127.0.0.1, consumer
/// groups, commits and idempotent producers included. For `make run` and tests only; the product never uses it.
public final class MockKafkaCluster: @unchecked Sendable {  // librdkafka's mock cluster API is thread-safe
    private let host: OpaquePointer
    private let cluster: OpaquePointer
    /// Bootstrap servers for every client of this cluster.
    public let bootstrapServers: String
    public let brokerCount: Int

    public enum MockError: Error, CustomStringConvertible {
        case creation(String)
        case request(String, KafkaCode)

        public var description: String {
            switch self {
            case let .creation(reason): "could not start the mock Kafka cluster: \(reason)"
            case let .request(what, code): "mock cluster: \(what) failed: \(code)"
            }
        }
    }

    /// Starts a cluster of `brokers` brokers listening on ephemeral loopback ports.
    public init(brokers: Int = 3) throws {
        guard let conf = rd_kafka_conf_new() else { throw MockError.creation("rd_kafka_conf_new failed") }
        var errorText = [CChar](repeating: 0, count: 512)
        rd_kafka_conf_set(conf, "log_level", "3", &errorText, errorText.count)
        guard let host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw MockError.creation(String(cString: errorText))
        }
        guard let cluster = rd_kafka_mock_cluster_new(host, Int32(brokers)) else {
            rd_kafka_destroy(host)
            throw MockError.creation("rd_kafka_mock_cluster_new returned nil")
        }
        self.host = host
        self.cluster = cluster
        self.brokerCount = brokers
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(host)
    }

    /// Creates a topic (replication capped at the broker count).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 3) throws {
        let replicas = Int32(min(replicationFactor, brokerCount))
        try check("create topic \(name)", rd_kafka_mock_topic_create(cluster, name, Int32(partitions), replicas))
    }

    /// Creates every product topic.
    public func createProductTopics(partitions: Int) throws {
        for topic in Topics.all(partitions: partitions) {
            try createTopic(topic.name, partitions: topic.partitions)
        }
    }

    /// Makes `broker` the leader of a partition.
    public func setLeader(topic: String, partition: Int32, broker: Int32) throws {
        try check("set leader", rd_kafka_mock_partition_set_leader(cluster, topic, partition, broker))
    }

    /// Takes a broker down: its connections close and it accepts no new ones.
    public func setBrokerDown(_ broker: Int32) throws {
        try check("broker \(broker) down", rd_kafka_mock_broker_set_down(cluster, broker))
    }

    /// Brings a broker back.
    public func setBrokerUp(_ broker: Int32) throws {
        try check("broker \(broker) up", rd_kafka_mock_broker_set_up(cluster, broker))
    }

    /// Adds round-trip latency to a broker.
    public func setRoundTripTime(_ broker: Int32, _ rtt: Duration) throws {
        try check("set rtt", rd_kafka_mock_broker_set_rtt(cluster, broker, Int32(rtt.milliseconds)))
    }

    /// The next requests of this API key (0 = Produce, 1 = Fetch, 8 = OffsetCommit, ...) fail with these codes.
    public func pushRequestErrors(apiKey: Int16, _ errors: [KafkaCode]) {
        var raw = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        rd_kafka_mock_push_request_errors_array(cluster, apiKey, raw.count, &raw)
    }

    public var brokerIDs: [Int32] { (1...Int32(brokerCount)).map { $0 } }

    private func check(_ what: String, _ err: rd_kafka_resp_err_t) throws {
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw MockError.request(what, KafkaCode(rawValue: err.rawValue))
        }
    }
}

extension KafkaCode {
    /// Kafka's retriable "not enough replicas" broker error, handy for injected Produce failures.
    public static let notEnoughReplicas = KafkaCode(rawValue: RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS.rawValue)
    /// Kafka's "request timed out" broker error.
    public static let requestTimedOut = KafkaCode(rawValue: RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue)
    /// The partition leader moved.
    public static let notLeader = KafkaCode(rawValue: RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION.rawValue)
}
