import CKafka
import Timing

/// Watermarks and partition counts, asked from the cluster.
extension KafkaConsumerClient {
    /// The offset the next record of a partition will get (its high watermark), asked from the leader.
    public func highWatermark(
        _ partition: KafkaTopicPartition, timeout: Duration = .seconds(5)
    ) async throws(KafkaClientError) -> Int64 {
        try await watermarks(partition, timeout: timeout).high
    }

    /// The offset of the first retained record (low) and of the next record (high) of a partition; equal when the
    /// partition holds no records (empty, or everything deleted by retention).
    public func watermarks(
        _ partition: KafkaTopicPartition, timeout: Duration = .seconds(5)
    ) async throws(KafkaClientError) -> (low: Int64, high: Int64) {
        // librdkafka 2.0.2 waits for the ListOffsets answer without checking `timeout` (a broker that went away holds
        // it for its request timeouts and retries): the caller is given up a second after `timeout`, or at once when
        // cancelled, so a delivery or a shutdown is never held by it.
        let operation = "querying watermarks of \(partition)"
        let answer: Result<(low: Int64, high: Int64), KafkaClientError>? = await blocking.run(
            givingUpAt: .now + timeout + .seconds(1)
        ) { [handle, settings] in
            var low: Int64 = 0
            var high: Int64 = 0
            let err = rd_kafka_query_watermark_offsets(
                handle.raw, partition.topic, partition.partition, &low, &high, Int32(timeout.milliseconds))
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                if err == RD_KAFKA_RESP_ERR__TIMED_OUT {
                    return .failure(.timedOut(operation: operation, brokers: settings.client.bootstrapServers))
                }
                return .failure(.admin(topic: partition.topic, code: KafkaCode(err), reason: "watermark query failed"))
            }
            return .success((low, high))
        }
        guard let answer else { throw .timedOut(operation: operation, brokers: settings.client.bootstrapServers) }
        return try answer.get()
    }

    /// The number of partitions of a topic, from cluster metadata (nil when the topic does not exist).
    public func partitionCount(topic: String, timeout: Duration = .seconds(5)) async throws(KafkaClientError) -> Int? {
        let result: Result<Int?, KafkaClientError> = await blocking.run { [handle, settings] in
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let err = rd_kafka_metadata(handle.raw, 1, nil, &metadata, Int32(timeout.milliseconds))
            defer { if let metadata { rd_kafka_metadata_destroy(metadata) } }
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                return .failure(.timedOut(operation: "fetching metadata", brokers: settings.client.bootstrapServers))
            }
            for index in 0..<Int(metadata.pointee.topic_cnt) {
                let entry = metadata.pointee.topics[index]
                if String(cString: entry.topic) == topic, entry.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    return .success(Int(entry.partition_cnt))
                }
            }
            return .success(nil)
        }
        return try result.get()
    }
}
