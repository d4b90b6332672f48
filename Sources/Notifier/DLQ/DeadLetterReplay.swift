import Events
import KafkaClient


/// Turns parked records back into the messages they were before they were parked.
enum DeadLetterReplay {
    enum ReplayError: Error, CustomStringConvertible {
        case noSourceTopic(topic: String, partition: Int32, offset: Int64)

        var description: String {
            switch self {
            case let .noSourceTopic(topic, partition, offset):
                "\(topic)[\(partition)]@\(offset) has no \(EventHeaders.dlqSourceTopic) header; not replayed"
            }
        }
    }

    /// The original message of a DLQ record: same key and value, headers without the `dlq-*` ones, addressed to the
    /// topic named in `dlq-source-topic`.
    static func message(for record: KafkaRecord) throws(ReplayError) -> KafkaProducerMessage {
        guard let source = record.header(EventHeaders.dlqSourceTopic), !source.isEmpty else {
            throw .noSourceTopic(topic: record.topic, partition: record.partition, offset: record.offset)
        }
        return KafkaProducerMessage(
            topic: source, key: record.key, value: record.value,
            headers: record.headers.filter { !$0.key.hasPrefix("dlq-") })
    }
}
