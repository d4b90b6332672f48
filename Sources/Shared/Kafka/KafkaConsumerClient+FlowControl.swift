import CKafka

/// Back-pressure: pausing and resuming partitions. Pauses are also undone by every rebalance that moves a partition
/// (see the rebalance callback), so they cannot outlive the caller's ownership.
extension KafkaConsumerClient {
    /// Stops fetching from these partitions until `resume` (back-pressure); membership is kept. A pause lasts at
    /// most until the partition is revoked or assigned again: every rebalance resumes the partitions it moves, so a
    /// partition never comes back paused to a caller that no longer knows it paused it.
    public func pause(_ partitions: [KafkaTopicPartition]) {
        let list = KafkaTopicPartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        rd_kafka_pause_partitions(handle.raw, list)
        handle.context.rebalance.paused(partitions)
    }

    /// Fetches from these partitions again.
    public func resume(_ partitions: [KafkaTopicPartition]) {
        let list = KafkaTopicPartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        rd_kafka_resume_partitions(handle.raw, list)
        handle.context.rebalance.resumed(partitions)
    }

    /// The partitions paused by `pause` and not resumed since (by `resume` or a rebalance).
    public var pausedPartitions: Set<KafkaTopicPartition> { handle.context.rebalance.pausedPartitions }
}
