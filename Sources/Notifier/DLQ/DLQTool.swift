import KafkaClient
import Logging

/// What `notifier dlq list` and `notifier dlq replay` do, without the command line: reads a DLQ topic, selects
/// records, re-publishes them to their source topic.
struct DLQTool: Sendable {
    var kafka: KafkaClientSettings
    var logger: Logger
    var timeout: Duration = .seconds(30)

    /// One replayed record: where it was parked and where it went.
    struct Replayed: Sendable {
        var record: KafkaRecord
        var destination: KafkaOffset
    }

    enum ToolError: Error, CustomStringConvertible {
        case read(DeadLetterReader.ReadError)
        case replay(DeadLetterReplay.ReplayError)
        case send(record: DLQPosition, topic: String, KafkaClientError, replayedBefore: Int)

        var description: String {
            switch self {
            case let .read(error): "\(error)"
            case let .replay(error): "\(error)"
            case let .send(record, topic, error, replayedBefore):
                "re-publishing DLQ record \(record) to \(topic) failed after \(replayedBefore) replayed: \(error)"
            }
        }
    }

    /// The selected records of a DLQ topic, ordered by partition and offset.
    func list(topic: String, selection: DLQSelection) async throws(ToolError) -> [KafkaRecord] {
        let reader = DeadLetterReader(kafka: kafka, logger: logger, timeout: timeout)
        do { return try await reader.records(topic: topic).filter(selection.matches) } catch { throw .read(error) }
    }

    /// Re-publishes the selected records in DLQ order, each acknowledged before the next; `progress` sees each one.
    /// Every selected record is checked for a source topic before the first is sent.
    func replay(
        topic: String, selection: DLQSelection, producer: KafkaProducerClient,
        progress: (Replayed) -> Void = { _ in }
    ) async throws(ToolError) -> [Replayed] {
        let records = try await list(topic: topic, selection: selection)
        var messages: [(KafkaRecord, KafkaProducerMessage)] = []
        for record in records {
            do { messages.append((record, try DeadLetterReplay.message(for: record))) } catch { throw .replay(error) }
        }
        var replayed: [Replayed] = []
        for (record, message) in messages {
            do {
                let offset = try await producer.send(message)
                let entry = Replayed(record: record, destination: offset)
                replayed.append(entry)
                progress(entry)
            } catch {
                throw .send(
                    record: DLQPosition(partition: record.partition, offset: record.offset), topic: message.topic,
                    error, replayedBefore: replayed.count)
            }
        }
        return replayed
    }
}
