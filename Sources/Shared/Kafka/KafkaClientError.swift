/// Every failure of the Kafka layer, with the context needed to act on it.
public enum KafkaClientError: Error, Sendable, CustomStringConvertible {
    /// librdkafka rejected a configuration property (its own message in `reason`).
    case invalidSetting(key: String, reason: String)
    /// `rd_kafka_new` failed.
    case clientCreation(reason: String)
    /// The message could not be queued locally.
    case enqueue(topic: String, code: KafkaCode)
    /// The broker did not acknowledge the message (or it timed out locally).
    case delivery(topic: String, code: KafkaCode)
    /// Subscribing to the topics failed.
    case subscribe(topics: [String], code: KafkaCode)
    /// Committing offsets failed.
    case commit(topic: String?, partition: Int32?, code: KafkaCode)
    /// An admin request failed for a topic.
    case admin(topic: String, code: KafkaCode, reason: String)
    /// A request did not finish within its deadline.
    case timedOut(operation: String, brokers: String)
    /// librdkafka raised a fatal error; the client cannot continue.
    case fatal(code: KafkaCode, reason: String)
    /// The client was shut down.
    case closed

    public var description: String {
        switch self {
        case let .invalidSetting(key, reason):
            return "invalid Kafka setting \(key): \(reason)"
        case let .clientCreation(reason):
            return "could not create Kafka client: \(reason)"
        case let .enqueue(topic, code):
            return "could not queue message for topic \(topic): \(code)"
        case let .delivery(topic, code):
            return "delivery to topic \(topic) failed: \(code)"
        case let .subscribe(topics, code):
            return "subscribe to \(topics.joined(separator: ",")) failed: \(code)"
        case let .commit(topic, partition, code):
            let location = topic.map { "\($0)[\(partition.map(String.init) ?? "?")]" } ?? "stored offsets"
            return "commit of \(location) failed: \(code)"
        case let .admin(topic, code, reason):
            return "admin request for topic \(topic) failed: \(code.name): \(reason)"
        case let .timedOut(operation, brokers):
            return "\(operation) did not finish in time (brokers \(brokers))"
        case let .fatal(code, reason):
            return "fatal Kafka error \(code.name): \(reason)"
        case .closed:
            return "Kafka client is closed"
        }
    }
}
