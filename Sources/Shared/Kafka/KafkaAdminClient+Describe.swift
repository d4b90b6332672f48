import CKafka
import Timing

extension KafkaAdminClient {
    /// What the cluster says about one topic.
    public struct TopicDescription: Sendable, Equatable {
        /// nil: the topic does not exist.
        public var partitions: Int?
        /// The topic's `cleanup.policy` (e.g. `delete`, `compact`); nil when the broker would not say (no
        /// DescribeConfigs support, e.g. librdkafka's mock cluster, or no permission).
        public var cleanupPolicy: String?

        public init(partitions: Int? = nil, cleanupPolicy: String? = nil) {
            self.partitions = partitions
            self.cleanupPolicy = cleanupPolicy
        }
    }

    /// Partition counts (from metadata) and, for `withConfig` topics, `cleanup.policy` (DescribeConfigs). A broker
    /// that cannot describe configs leaves `cleanupPolicy` nil (librdkafka's mock cluster never answers: that
    /// costs `timeout`); metadata failures throw.
    public func describeTopics(
        _ topics: [String], withConfig: Set<String> = [], timeout: Duration = .seconds(10)
    ) async throws(KafkaClientError) -> [String: TopicDescription] {
        let result: Result<[String: TopicDescription], KafkaClientError> = await blocking.run { [handle, settings] in
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let err = rd_kafka_metadata(handle.raw, 1, nil, &metadata, Int32(timeout.milliseconds))
            defer { if let metadata { rd_kafka_metadata_destroy(metadata) } }
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                return .failure(.timedOut(operation: "fetching metadata", brokers: settings.bootstrapServers))
            }
            var found: [String: TopicDescription] = [:]
            for topic in topics { found[topic] = TopicDescription() }
            for index in 0..<Int(metadata.pointee.topic_cnt) {
                let entry = metadata.pointee.topics[index]
                let name = String(cString: entry.topic)
                if found[name] != nil, entry.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    found[name]?.partitions = Int(entry.partition_cnt)
                }
            }
            let describable = withConfig.filter { found[$0]?.partitions != nil }
            for (topic, policy) in Self.cleanupPolicies(handle: handle, topics: describable, timeout: timeout) {
                found[topic]?.cleanupPolicy = policy
            }
            return .success(found)
        }
        return try result.get()
    }

    /// `cleanup.policy` per topic; topics the broker did not describe are absent.
    private static func cleanupPolicies(
        handle: KafkaHandle, topics: Set<String>, timeout: Duration
    ) -> [String: String] {
        guard !topics.isEmpty else { return [:] }
        var resources: [OpaquePointer?] = topics.map { rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, $0) }
        defer { for resource in resources { rd_kafka_ConfigResource_destroy(resource) } }
        let queue = rd_kafka_queue_new(handle.raw)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(handle.raw, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errorText = [CChar](repeating: 0, count: 512)
        rd_kafka_AdminOptions_set_request_timeout(options, Int32(timeout.milliseconds), &errorText, errorText.count)
        rd_kafka_DescribeConfigs(handle.raw, &resources, resources.count, options, queue)
        guard let event = rd_kafka_queue_poll(queue, Int32(timeout.milliseconds + 1000)) else { return [:] }
        defer { rd_kafka_event_destroy(event) }
        guard rd_kafka_event_error(event) == RD_KAFKA_RESP_ERR_NO_ERROR,
            let result = rd_kafka_event_DescribeConfigs_result(event)
        else { return [:] }
        var count = 0
        guard let described = rd_kafka_DescribeConfigs_result_resources(result, &count) else { return [:] }
        var policies: [String: String] = [:]
        for index in 0..<count {
            guard let resource = described[index],
                rd_kafka_ConfigResource_error(resource) == RD_KAFKA_RESP_ERR_NO_ERROR
            else { continue }
            let name = String(cString: rd_kafka_ConfigResource_name(resource))
            var entryCount = 0
            guard let entries = rd_kafka_ConfigResource_configs(resource, &entryCount) else { continue }
            for entryIndex in 0..<entryCount {
                guard let entry = entries[entryIndex],
                    String(cString: rd_kafka_ConfigEntry_name(entry)) == "cleanup.policy",
                    let value = rd_kafka_ConfigEntry_value(entry)
                else { continue }
                policies[name] = String(cString: value)
            }
        }
        return policies
    }
}
