import KafkaClient


/// Where the poller writes records (Kafka in production; tests may record calls).
protocol EventPublisher: Sendable {
    func send(
        topic: String, key: String?, value: [UInt8]?, headers: [KafkaHeader]
    ) async throws(KafkaClientError) -> KafkaOffset
}

extension KafkaProducerClient: EventPublisher {}
