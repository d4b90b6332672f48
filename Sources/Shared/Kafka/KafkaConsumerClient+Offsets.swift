import CKafka
import Logging
import Timing

/// Storing and committing offsets (at-least-once: only what the caller marked handled).
extension KafkaConsumerClient {
    /// Marks a record handled: its offset + 1 is stored and committed with the next commit.
    /// Returns false when the partition is no longer assigned (another member will handle the record again).
    @discardableResult
    public func markHandled(_ record: KafkaRecord) -> Bool {
        // rd_kafka_offset_store stores offset + 1, through a cached topic handle: no allocation per record.
        let err = rd_kafka_offset_store(handle.topic(named: record.topic), record.partition, record.offset)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.debug(
                "offset not stored: partition not assigned",
                metadata: ["kafka.topic": "\(record.topic)", "kafka.partition": "\(record.partition)"])
            return false
        }
        return true
    }

    /// Commits stored offsets now and waits for the broker's answer.
    public func commit() async throws(KafkaClientError) {
        let code = await blocking.run { [handle] in rd_kafka_commit(handle.raw, nil, 0) }
        if code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR__NO_OFFSET {
            throw .commit(topic: nil, partition: nil, code: KafkaCode(code))
        }
    }

    /// The committed offset (next offset to read) of a partition, or nil if none was committed.
    public func committedOffset(
        _ partition: KafkaTopicPartition, timeout: Duration = .seconds(5)
    ) async throws(KafkaClientError) -> Int64? {
        let result: Result<Int64?, KafkaClientError> = await blocking.run { [handle] in
            let list = KafkaTopicPartitionList.make([partition])
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_committed(handle.raw, list, Int32(timeout.milliseconds))
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                return .failure(.commit(topic: partition.topic, partition: partition.partition, code: KafkaCode(err)))
            }
            let offset = list.pointee.elems[0].offset
            return .success(offset >= 0 ? offset : nil)
        }
        return try result.get()
    }
}
