import Events
import Foundation
import KafkaClient
import Logging
import ServiceKit

extension ReplyWriter {
    /// A record whose `schema` header says `guance.issue-action/v1`: performs the action once per command id,
    /// publishes the changed issue to `guance.issue-events` (so the card changes at once), then the `ReplyResult`
    /// (a failure is explained in the card's thread by the confirmer).
    func handleAction(_ record: KafkaRecord, log: Logger) async throws {
        var log = log
        guard let value = record.value, let action = try? EventCoding.decode(IssueAction.self, from: value) else {
            log.error("undecodable issue action parked in the dead-letter topic")
            try await deadLetter(record, reason: "not a guance.issue-action/v1 value")
            count("dead_lettered")
            return
        }
        log[metadataKey: LogKey.commandID] = "\(action.commandId)"
        log[metadataKey: LogKey.issueUUID] = "\(action.issueUUID)"
        if handled.contains(action.commandId) {
            log.info("repeated issue action skipped")
            count("duplicate")
            return
        }
        let outcome: IssueActionWriter.Outcome
        if let actions {
            outcome = try await actions.perform(action, log: log)
        } else {
            var result = ReplyResult(
                commandId: action.commandId, issueUUID: action.issueUUID, issueName: nil, outcome: .failed,
                replyUUID: nil, reason: "this writer cannot perform card actions",
                completedAt: EventCoding.rfc3339(now()),
                origin: action.origin)
            result.action = action.action
            outcome = IssueActionWriter.Outcome(result: result, changed: nil)
        }
        if let event = outcome.changed {
            try await publishUntilAcknowledged(
                topic: Topics.issueEvents, key: event.issue.uuid, value: try EventCoding.encode(event),
                eventID: event.eventId, schema: IssueEvent.schemaV1, trace: record.traceparent, log: log)
        }
        try await publish(outcome.result, trace: record.traceparent, log: log)
        handled.insert(action.commandId)
        count("action_" + outcome.result.outcome.rawValue)
    }

    /// Publishes one record, retrying while Kafka is unavailable (the command's offset is not stored before).
    func publishUntilAcknowledged(
        topic: String, key: String, value: [UInt8], eventID: String, schema: String, trace: Traceparent?, log: Logger
    ) async throws {
        let traceparent = trace?.child() ?? Traceparent.newTrace()
        var delay: Duration = .milliseconds(200)
        while true {
            do {
                _ = try await producer.send(
                    topic: topic, key: key, value: value,
                    headers: [
                        KafkaHeader(key: EventHeaders.eventID, string: eventID),
                        KafkaHeader(key: EventHeaders.contentType, string: EventHeaders.jsonContentType),
                        KafkaHeader(key: EventHeaders.schema, string: schema),
                        traceparent.header,
                    ])
                return
            } catch {
                if Task.isCancelled { throw error }
                log.warning(
                    "publishing failed, retrying", metadata: [LogKey.topic: "\(topic)", LogKey.error: "\(error)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
