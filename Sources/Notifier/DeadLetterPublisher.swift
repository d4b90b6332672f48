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
