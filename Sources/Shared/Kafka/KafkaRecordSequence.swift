import Synchronization

/// The records of a `KafkaConsumerClient` one by one, fetched in batches off the cooperative pool.
/// Ends when the consumer closes. Rebalances are served only inside a poll, so a buffered batch stays valid; records
/// of partitions revoked during the poll are dropped there (the next owner gets them).
public struct KafkaRecordSequence: AsyncSequence, Sendable {
    public typealias Element = KafkaRecord
    public typealias Failure = KafkaClientError
    let consumer: KafkaConsumerClient

    public func makeAsyncIterator() -> Iterator {
        Iterator(batches: KafkaRecordBatchSequence(consumer: consumer).makeAsyncIterator())
    }

    public struct Iterator: AsyncIteratorProtocol {
        var batches: KafkaRecordBatchSequence.Iterator
        var buffer: [KafkaRecord] = []
        var index = 0

        public mutating func next() async throws(KafkaClientError) -> KafkaRecord? {
            if index == buffer.count {
                guard let batch = try await batches.next() else { return nil }
                buffer = batch
                index = 0
            }
            defer { index += 1 }
            return buffer[index]
        }
    }
}

/// The records of a `KafkaConsumerClient` as the batches they were fetched in (never empty), for consumers that
/// hand records on and would otherwise pay a per-record cost in the sequence (e.g. `cancelOnGracefulShutdown`).
public struct KafkaRecordBatchSequence: AsyncSequence, Sendable {
    public typealias Element = [KafkaRecord]
    public typealias Failure = KafkaClientError
    let consumer: KafkaConsumerClient

    public func makeAsyncIterator() -> Iterator {
        Iterator(consumer: consumer)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumerClient

        public mutating func next() async throws(KafkaClientError) -> [KafkaRecord]? {
            while true {
                if Task.isCancelled || consumer.closed.withLock({ $0 }) { return nil }
                let batch = try await consumer.poll(timeout: .milliseconds(100))
                if !batch.isEmpty { return batch }
            }
        }
    }
}
