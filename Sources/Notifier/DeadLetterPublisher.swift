import Events
import KafkaClient


/// Where records that cannot be delivered are parked; a protocol so tests can record what was parked.
protocol DeadLetterPublisher: Sendable {
    func publish(_ message: KafkaProducerMessage) async throws(KafkaClientError)
}

extension KafkaProducerClient: DeadLetterPublisher {
    func publish(_ message: KafkaProducerMessage) async throws(KafkaClientError) {
        _ = try await send(message)
    }
}

extension KafkaRecord {
    /// The DLQ copy of this record: original key, value and headers, plus why and where from.
    func deadLetter(reason: String, sink: String?) -> KafkaProducerMessage {
        var headers = self.headers.filter { !$0.key.hasPrefix("dlq-") }
        headers.append(KafkaHeader(key: EventHeaders.dlqReason, string: String(reason.prefix(1000))))
        if let sink { headers.append(KafkaHeader(key: EventHeaders.dlqSink, string: sink)) }
        headers.append(KafkaHeader(key: EventHeaders.dlqSourceTopic, string: topic))
        headers.append(KafkaHeader(key: EventHeaders.dlqSourcePartition, string: String(partition)))
        headers.append(KafkaHeader(key: EventHeaders.dlqSourceOffset, string: String(offset)))
        return KafkaProducerMessage(topic: Topics.deadLetter(of: topic), key: key, value: value, headers: headers)
    }
}
