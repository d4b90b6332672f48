import CKafka
import Logging
import Timing

/// Creates the topics the product needs.
public final class KafkaAdminClient: Sendable {
    let handle: KafkaHandle
    let blocking: BlockingExecutor
    let settings: KafkaClientSettings

    /// A topic to create.
    public struct TopicSpec: Sendable, Hashable {
        public var name: String
        public var partitions: Int
        public var replicationFactor: Int
        public var config: [String: String]

        public init(name: String, partitions: Int, replicationFactor: Int = -1, config: [String: String] = [:]) {
            self.name = name
            self.partitions = partitions
            self.replicationFactor = replicationFactor
            self.config = config
        }
    }

    public init(settings: KafkaClientSettings, logger: Logger) throws(KafkaClientError) {
        self.settings = settings
        var properties = settings.baseProperties
        properties.merge(settings.extraProperties) { _, extra in extra }
        self.handle = try KafkaHandle(RD_KAFKA_PRODUCER, properties: properties, logger: logger)
        self.blocking = BlockingExecutor(label: "kafka.admin")
    }

    /// Creates each topic that does not exist yet. Returns the names that were created.
    public func createMissingTopics(
        _ topics: [TopicSpec], timeout: Duration = .seconds(30)
    ) async throws(KafkaClientError) -> [String] {
        let result: Result<[String], KafkaClientError> = await blocking.run { [handle, settings] in
            Self.createTopics(handle: handle, topics: topics, timeout: timeout, brokers: settings.bootstrapServers)
        }
        return try result.get()
    }

    private static func createTopics(
        handle: KafkaHandle, topics: [TopicSpec], timeout: Duration, brokers: String
    ) -> Result<[String], KafkaClientError> {
        var errorText = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        for spec in topics {
            guard
                let newTopic = rd_kafka_NewTopic_new(
                    spec.name, Int32(spec.partitions), Int32(spec.replicationFactor), &errorText, errorText.count)
            else {
                return .failure(
                    .admin(topic: spec.name, code: KafkaCode(rawValue: -1), reason: String(cString: errorText)))
            }
            for (key, value) in spec.config { rd_kafka_NewTopic_set_config(newTopic, key, value) }
            newTopics.append(newTopic)
        }
        let queue = rd_kafka_queue_new(handle.raw)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(handle.raw, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        rd_kafka_AdminOptions_set_request_timeout(options, Int32(timeout.milliseconds), &errorText, errorText.count)
        rd_kafka_CreateTopics(handle.raw, &newTopics, newTopics.count, options, queue)
        guard let event = rd_kafka_queue_poll(queue, Int32(timeout.milliseconds + 1000)) else {
            return .failure(.timedOut(operation: "creating topics", brokers: brokers))
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        if eventError != RD_KAFKA_RESP_ERR_NO_ERROR {
            let reason = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
            let name = topics.map(\.name).joined(separator: ",")
            return .failure(.admin(topic: name, code: KafkaCode(eventError), reason: reason))
        }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
        else { return .success([]) }
        var created: [String] = []
        for index in 0..<count {
            let result = results[index]
            let name = String(cString: rd_kafka_topic_result_name(result))
            let err = rd_kafka_topic_result_error(result)
            switch err {
            case RD_KAFKA_RESP_ERR_NO_ERROR: created.append(name)
            case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: break
            default:
                let reason = rd_kafka_topic_result_error_string(result).map { String(cString: $0) } ?? ""
                return .failure(.admin(topic: name, code: KafkaCode(err), reason: reason))
            }
        }
        return .success(created)
    }
}
