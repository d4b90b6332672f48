import Foundation
import KafkaClient
import Logging

/// Reads partitions from given offsets up to their current end (the high watermark asked at the start), outside
/// any consumer group. Used to load the compacted state topic and to recover event ids after a crash.
struct KafkaTailReader: Sendable {
    var kafka: KafkaClientSettings
    var logger: Logger
    var timeout: Duration = .seconds(30)

    enum ReadError: Error, CustomStringConvertible {
        case incomplete(partitions: [KafkaTopicPartition], after: Duration)
        case kafka(KafkaClientError)

        var description: String {
            switch self {
            case let .incomplete(partitions, after):
                "could not read \(partitions.map(\.description).joined(separator: ", ")) to the end within \(after)"
            case let .kafka(error): "\(error)"
            }
        }
    }

    /// Calls `handle` for every record from `start` offsets to the end of each partition. Partitions without a
    /// start offset are read from the beginning.
    func read(
        _ partitions: [KafkaTopicPartition], from start: [KafkaTopicPartition: Int64] = [:],
        _ handle: (KafkaRecord) -> Void
    ) async throws(ReadError) {
        guard !partitions.isEmpty else { return }
        var settings = KafkaConsumerSettings(
            client: kafka, groupID: "poller-reader-\(UUID().uuidString.prefix(8))", topics: [])
        settings.batchSize = 1000
        let reader: KafkaConsumerClient
        do {
            reader = try KafkaConsumerClient(
                settings: settings,
                assignment: Dictionary(uniqueKeysWithValues: partitions.map {
                    ($0, start[$0] ?? KafkaConsumerClient.offsetBeginning)
                }),
                logger: logger)
        } catch { throw .kafka(error) }
        var ends: [KafkaTopicPartition: Int64] = [:]
        do {
            for partition in partitions {
                let high = try await reader.highWatermark(partition)
                if high > (start[partition] ?? 0) { ends[partition] = high }
            }
        } catch {
            await reader.close()
            throw .kafka(error)
        }
        let deadline = ContinuousClock.now + timeout
        var iterator = reader.records.makeAsyncIterator()
        while !ends.isEmpty {
            guard ContinuousClock.now < deadline, !Task.isCancelled else {
                await reader.close()
                throw .incomplete(partitions: Array(ends.keys), after: timeout)
            }
            let next: KafkaRecord?
            do { next = try await iterator.next() } catch {
                await reader.close()
                throw .kafka(error)
            }
            guard let record = next else { break }
            handle(record)
            if let end = ends[record.topicPartition], record.offset >= end - 1 {
                ends.removeValue(forKey: record.topicPartition)
            }
        }
        await reader.close()
        if !ends.isEmpty { throw .incomplete(partitions: Array(ends.keys), after: timeout) }
    }
}

extension KafkaTailReader {
    /// The high watermark of every partition of `topic` (empty if the topic does not exist).
    func endOffsets(topic: String) async throws(ReadError) -> [Int32: Int64] {
        let settings = KafkaConsumerSettings(
            client: kafka, groupID: "poller-reader-\(UUID().uuidString.prefix(8))", topics: [])
        let reader: KafkaConsumerClient
        do { reader = try KafkaConsumerClient(settings: settings, assignment: [:], logger: logger) } catch {
            throw .kafka(error)
        }
        do {
            var ends: [Int32: Int64] = [:]
            if let count = try await reader.partitionCount(topic: topic) {
                for partition in 0..<Int32(count) {
                    ends[partition] = try await reader.highWatermark(
                        KafkaTopicPartition(topic: topic, partition: partition))
                }
            }
            await reader.close()
            return ends
        } catch {
            await reader.close()
            throw .kafka(error)
        }
    }
}

extension KafkaTailReader {
    /// Partition counts of the topics that exist.
    func partitionCounts(topics: [String]) async throws(ReadError) -> [String: Int] {
        let settings = KafkaConsumerSettings(
            client: kafka, groupID: "poller-reader-\(UUID().uuidString.prefix(8))", topics: [])
        let reader: KafkaConsumerClient
        do { reader = try KafkaConsumerClient(settings: settings, assignment: [:], logger: logger) } catch {
            throw .kafka(error)
        }
        var counts: [String: Int] = [:]
        do {
            for topic in topics {
                if let count = try await reader.partitionCount(topic: topic) { counts[topic] = count }
            }
        } catch {
            await reader.close()
            throw .kafka(error)
        }
        await reader.close()
        return counts
    }
}
