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

    /// The records of `topic`, ordered by partition then offset.
    func records(topic: String) async throws(ReadError) -> [KafkaRecord] {
        let reader = KafkaPartitionReader(
            kafka: kafka, logger: logger, groupPrefix: "notifier-dlq", timeout: timeout, batchSize: 500)
        let watermarks: [Int32: (low: Int64, high: Int64)]?
        do { watermarks = try await reader.watermarks(topic: topic) } catch {
            throw Self.readError(error, topic: topic)
        }
        guard let watermarks else { throw .noSuchTopic(topic) }
        // Retention may have emptied some partitions.
        let partitions = watermarks.filter { $0.value.high > $0.value.low }.keys
            .map { KafkaTopicPartition(topic: topic, partition: $0) }
        var records: [KafkaRecord] = []
        do { try await reader.read(partitions) { records.append($0) } } catch {
            throw Self.readError(error, topic: topic)
        }
        return records.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }

    private static func readError(_ error: KafkaPartitionReader.ReadError, topic: String) -> ReadError {
        switch error {
        case let .incomplete(partitions, after):
            .incomplete(topic: topic, partitions: partitions.map(\.partition).sorted(), after: after)
        case let .kafka(error): .kafka(error)
        }
    }
}
