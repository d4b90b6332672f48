import Events
import KafkaClient
import ServiceKit

/// Where accepted card actions go. Returns only after Kafka acknowledged the action.
protocol IssueActionPublisher: Sendable {
    func publish(_ action: IssueAction, traceparent: Traceparent) async throws
}

/// Publishes to `guance.reply-commands` keyed by issue uuid, with header `schema: guance.issue-action/v1` so the
/// writer tells actions from replies, and waits at most `timeout` for the broker's acknowledgement.
struct KafkaIssueActionPublisher: IssueActionPublisher {
    let producer: KafkaProducerClient
    let timeout: Duration

    func publish(_ action: IssueAction, traceparent: Traceparent) async throws {
        let message = KafkaProducerMessage(
            topic: Topics.replyCommands, key: action.issueUUID, value: try EventCoding.encode(action),
            headers: [
                KafkaHeader(key: EventHeaders.eventID, string: action.commandId),
                KafkaHeader(key: EventHeaders.contentType, string: EventHeaders.jsonContentType),
                KafkaHeader(key: EventHeaders.schema, string: IssueAction.schemaV1),
                traceparent.header,
            ])
        _ = try await producer.send(message, timeout: timeout)
    }
}
