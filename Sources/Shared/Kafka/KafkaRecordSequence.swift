/// The records of a `KafkaConsumerClient`, fetched in batches off the cooperative pool.
/// Ends when the consumer closes. Rebalances are served only inside a poll, so a buffered batch stays valid; records
/// of partitions revoked during the poll are dropped there (the next owner gets them).
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
                if index < buffer.count {
                    defer { index += 1 }
                    return buffer[index]
                }
                if Task.isCancelled || consumer.closed.withLock({ $0 }) { return nil }
                buffer = try await consumer.poll(timeout: .milliseconds(100))
                index = 0
            }
        }
    }
}
