import Foundation
import KafkaClient
import Logging

/// Reads every partition of a dead-letter topic from its beginning up to its end at the time of the call, outside
/// any consumer group (nothing is committed, the notifier's group is not disturbed).
struct DeadLetterReader: Sendable {
    var kafka: KafkaClientSettings
    var logger: Logger
    /// How long reading up to the end may take before the command gives up.
    var timeout: Duration = .seconds(30)

    enum ReadError: Error, CustomStringConvertible {
        case noSuchTopic(String)
        case incomplete(topic: String, partitions: [Int32], after: Duration)
        case kafka(KafkaClientError)

        var description: String {
            switch self {
            case let .noSuchTopic(topic): "topic \(topic) does not exist"
            case let .incomplete(topic, partitions, after):
                "could not read partitions \(partitions.map(String.init).joined(separator: ",")) of \(topic) "
                    + "to the end within \(after)"
            case let .kafka(error): "\(error)"
            }
        }
    }

    private var settings: KafkaConsumerSettings {
        var settings = KafkaConsumerSettings(
            client: kafka, groupID: "notifier-dlq-\(UUID().uuidString.prefix(8))", topics: [])
        settings.batchSize = 500
        return settings
    }

    /// The records of `topic`, ordered by partition then offset.
    func records(topic: String) async throws(ReadError) -> [KafkaRecord] {
        let ends = try await endOffsets(topic: topic)
        guard !ends.isEmpty else { return [] }
        let reader: KafkaConsumerClient
        do {
            reader = try KafkaConsumerClient(
                settings: settings, assignment: ends.mapValues { _ in KafkaConsumerClient.offsetBeginning },
                logger: logger)
        } catch { throw .kafka(error) }
        // The read loop ends at the end offsets; the second task bounds it (the record sequence stops when cancelled).
        let outcome: Result<[KafkaRecord], ReadError>? = await withTaskGroup(of: Result<[KafkaRecord], ReadError>?.self) { group in
            group.addTask {
                var remaining = ends
                var records: [KafkaRecord] = []
                var iterator = reader.records.makeAsyncIterator()
                while !remaining.isEmpty {
                    let next: KafkaRecord?
                    do throws(KafkaClientError) { next = try await iterator.next() } catch {
                        return .failure(.kafka(error))
                    }
                    guard let record = next else { break }
                    records.append(record)
                    if let end = remaining[record.topicPartition], record.offset >= end - 1 {
                        remaining.removeValue(forKey: record.topicPartition)
                    }
                }
                if !remaining.isEmpty {
                    return .failure(.incomplete(
                        topic: topic, partitions: remaining.keys.map(\.partition).sorted(), after: timeout))
                }
                return .success(records)
            }
            group.addTask { [timeout] in
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        await reader.close()
        switch outcome {
        case let .success(records)?:
            return records.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
        case let .failure(error)?:
            throw error
        case nil:
            throw .incomplete(topic: topic, partitions: ends.keys.map(\.partition).sorted(), after: timeout)
        }
    }

    /// The high watermark of every partition of `topic` that holds records (retention may have emptied some).
    private func endOffsets(topic: String) async throws(ReadError) -> [KafkaTopicPartition: Int64] {
        let probe: KafkaConsumerClient
        do { probe = try KafkaConsumerClient(settings: settings, assignment: [:], logger: logger) } catch {
            throw .kafka(error)
        }
        var ends: [KafkaTopicPartition: Int64] = [:]
        let count: Int?
        do throws(KafkaClientError) {
            count = try await probe.partitionCount(topic: topic)
            for partition in 0..<Int32(count ?? 0) {
                let key = KafkaTopicPartition(topic: topic, partition: partition)
                let (low, high) = try await probe.watermarks(key)
                if high > low { ends[key] = high }
            }
        } catch {
            await probe.close()
            throw .kafka(error)
        }
        await probe.close()
        guard count != nil else { throw .noSuchTopic(topic) }
        return ends
    }
}
