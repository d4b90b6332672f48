import Events
import KafkaClient


/// Where poll triggers go. Returns only after the trigger is durably stored (Kafka acknowledged it).
protocol PollTriggerPublisher: Sendable {
    func publish(_ trigger: PollTrigger) async throws
}

/// Publishes to `guance.poll-triggers`, keyed by target name, and waits at most `timeout` for the acknowledgement.
struct KafkaPollTriggerPublisher: PollTriggerPublisher {
    let producer: KafkaProducerClient
    let timeout: Duration

    func publish(_ trigger: PollTrigger) async throws {
        let message = KafkaProducerMessage(
            topic: Topics.pollTriggers, key: trigger.target, value: try EventCoding.encode(trigger),
            headers: [
                KafkaHeader(key: EventHeaders.contentType, string: EventHeaders.jsonContentType),
                KafkaHeader(key: EventHeaders.schema, string: PollTrigger.schemaV1),
            ])
        _ = try await producer.send(message, timeout: timeout)
    }
}
