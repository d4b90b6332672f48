/// The records of a `KafkaConsumerClient`, fetched in batches off the cooperative pool.
/// Ends when the consumer closes; records of partitions revoked meanwhile are dropped (the next owner gets them).
public struct KafkaRecordSequence: AsyncSequence, Sendable {
    public typealias Element = KafkaRecord
    public typealias Failure = KafkaClientError
    let consumer: KafkaConsumerClient

    public func makeAsyncIterator() -> Iterator {
        Iterator(consumer: consumer)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumerClient
        var buffer: [KafkaRecord] = []
        var index = 0

        public mutating func next() async throws(KafkaClientError) -> KafkaRecord? {
            while true {
                while index < buffer.count {
                    let record = buffer[index]
                    index += 1
                    if consumer.handle.context.rebalance.isAssigned(record.topicPartition) { return record }
                }
                if Task.isCancelled || consumer.closed.withLock({ $0 }) { return nil }
                buffer = try await consumer.poll(timeout: .milliseconds(100))
                index = 0
            }
        }
    }
}
