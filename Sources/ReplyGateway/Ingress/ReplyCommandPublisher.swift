import Events
import KafkaClient
import ServiceKit


/// Where accepted commands go. Returns only after the command is durably stored (Kafka acknowledged it).
protocol ReplyCommandPublisher: Sendable {
    /// `traceparent` starts the command's trace; it travels in the record's header to the writer.
    func publish(_ command: ReplyCommand, traceparent: Traceparent) async throws
}

/// Publishes to `guance.reply-commands`, keyed by issue uuid, and waits for the broker's acknowledgement. The
/// `traceparent` header follows the command to the writer's logs and its `ReplyResult`.
struct KafkaCommandPublisher: ReplyCommandPublisher {
    let producer: KafkaProducerClient
    /// The callback is answered 503 after this long without an acknowledgement, even while librdkafka is still
    /// waiting for a broker (the platform retries; the writer dedupes by command id if both copies arrive).
    let timeout: Duration

    func publish(_ command: ReplyCommand, traceparent: Traceparent) async throws {
        let value = try EventCoding.encode(command)
        let message = KafkaProducerMessage(
            topic: Topics.replyCommands, key: command.issueUUID, value: value,
            headers: [
                KafkaHeader(key: EventHeaders.eventID, string: command.commandId),
                KafkaHeader(key: EventHeaders.contentType, string: EventHeaders.jsonContentType),
                KafkaHeader(key: EventHeaders.schema, string: ReplyCommand.schemaV1),
                traceparent.header,
            ])
        _ = try await producer.send(message, timeout: timeout)
    }
}
