import Foundation
import Logging

/// Reads partitions from given offsets up to their end at the time of the call (the high watermark asked at the
/// start), outside any consumer group: nothing is committed and no group is disturbed. The poller loads its state
/// topic and recovers event ids with it; the notifier's DLQ tool lists and replays dead letters.
public struct KafkaPartitionReader: Sendable {
    public var kafka: KafkaClientSettings
    public var logger: Logger
    /// The prefix of the throwaway group id each read uses (seen in broker logs), e.g. `poller-reader`.
    public var groupPrefix: String
    /// How long reading up to the end may take in all.
    public var timeout: Duration
    public var batchSize: Int

    public init(
        kafka: KafkaClientSettings, logger: Logger, groupPrefix: String = "reader", timeout: Duration = .seconds(30),
        batchSize: Int = 1000
    ) {
        self.kafka = kafka
        self.logger = logger
        self.groupPrefix = groupPrefix
        self.timeout = timeout
        self.batchSize = batchSize
    }

    /// Why a read did not reach the end.
    public enum ReadError: Error, Sendable, CustomStringConvertible {
        case incomplete(partitions: [KafkaTopicPartition], after: Duration)
        case kafka(KafkaClientError)

        public var description: String {
            switch self {
            case let .incomplete(partitions, after):
                "could not read \(partitions.map(\.description).sorted().joined(separator: ", ")) to the end "
                    + "within \(after)"
            case let .kafka(error): "\(error)"
            }
        }
    }

    /// Calls `handle` for every record from the `start` offsets to the end of each partition, in order per
    /// partition. Partitions without a start offset are read from their first retained record; a partition with
    /// nothing to read is skipped. Throws `.incomplete` when `timeout` passes first, even if no record arrives.
    public func read(
        _ partitions: [KafkaTopicPartition], from start: [KafkaTopicPartition: Int64] = [:],
        _ handle: (KafkaRecord) -> Void
    ) async throws(ReadError) {
        guard !partitions.isEmpty else { return }
        let deadline = ContinuousClock.now + timeout
        let assignment = Dictionary(partitions.map { ($0, start[$0] ?? KafkaConsumerClient.offsetBeginning) }) { a, _ in
            a
        }
        try await withConsumer(assignment: assignment) { reader throws(ReadError) in
            var ends: [KafkaTopicPartition: Int64] = [:]
            do throws(KafkaClientError) {
                for partition in assignment.keys {
                    let (low, high) = try await reader.watermarks(partition)
                    if high > max(start[partition] ?? low, low) { ends[partition] = high }
                }
                while !ends.isEmpty {
                    let left = deadline - ContinuousClock.now
                    guard left > .zero, !Task.isCancelled else { break }
                    for record in try await reader.poll(timeout: min(left, .milliseconds(100))) {
                        handle(record)
                        if let end = ends[record.topicPartition], record.offset >= end - 1 {
                            ends.removeValue(forKey: record.topicPartition)
                        }
                    }
                }
            } catch {
                throw .kafka(error)
            }
            if !ends.isEmpty { throw .incomplete(partitions: Array(ends.keys), after: timeout) }
        }
    }

    /// The low and high watermark of every partition of `topic`; nil when the topic does not exist.
    public func watermarks(topic: String) async throws(ReadError) -> [Int32: (low: Int64, high: Int64)]? {
        try await withConsumer(assignment: [:]) { probe throws(ReadError) in
            do throws(KafkaClientError) {
                guard let count = try await probe.partitionCount(topic: topic) else { return nil }
                var result: [Int32: (low: Int64, high: Int64)] = [:]
                for partition in 0..<Int32(count) {
                    result[partition] = try await probe.watermarks(
                        KafkaTopicPartition(topic: topic, partition: partition))
                }
                return result
            } catch {
                throw .kafka(error)
            }
        }
    }

    /// The high watermark of every partition of `topic` (empty when the topic does not exist).
    public func endOffsets(topic: String) async throws(ReadError) -> [Int32: Int64] {
        try await watermarks(topic: topic)?.mapValues(\.high) ?? [:]
    }

    /// The partition counts of those of `topics` that exist.
    public func partitionCounts(topics: [String]) async throws(ReadError) -> [String: Int] {
        try await withConsumer(assignment: [:]) { probe throws(ReadError) in
            var counts: [String: Int] = [:]
            do throws(KafkaClientError) {
                for topic in topics {
                    if let count = try await probe.partitionCount(topic: topic) { counts[topic] = count }
                }
            } catch {
                throw .kafka(error)
            }
            return counts
        }
    }

    /// Runs `body` with a consumer of its own, closed afterwards whatever happened.
    private func withConsumer<T>(
        assignment: [KafkaTopicPartition: Int64], _ body: (KafkaConsumerClient) async throws(ReadError) -> T
    ) async throws(ReadError) -> T {
        let consumer = try makeConsumer(assignment: assignment)
        let result: Result<T, ReadError>
        do throws(ReadError) {
            result = .success(try await body(consumer))
        } catch {
            result = .failure(error)
        }
        await consumer.close()
        return try result.get()
    }

    private func makeConsumer(assignment: [KafkaTopicPartition: Int64]) throws(ReadError) -> KafkaConsumerClient {
        var settings = KafkaConsumerSettings(
            client: kafka, groupID: "\(groupPrefix)-\(UUID().uuidString.prefix(8))", topics: [])
        settings.batchSize = batchSize
        do {
            return try KafkaConsumerClient(settings: settings, assignment: assignment, logger: logger)
        } catch {
            throw .kafka(error)
        }
    }
}
