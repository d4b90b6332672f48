import Events
import Foundation
import KafkaClient
import Logging
import ServiceKit

/// One record's command, of either schema on `guance.reply-commands`: its ids, and how the writer carries it out.
/// `ReplyWriter.handle` is the one skeleton around it (dead letter, repeat check, publish, remember, count).
struct WriterCommand: Sendable {
    /// The `ReplyResult` and, for a card action, the issue as it is now.
    typealias Outcome = IssueActionWriter.Outcome

    var commandID: String
    var issueUUID: String
    /// Prefix of the outcome in the commands metric (`action_` for card actions).
    var metricPrefix: String
    var perform: @Sendable (Logger) async throws -> Outcome
}

extension ReplyWriter {
    /// A record whose `schema` header says `guance.issue-action/v1`: the action performed once per command id; the
    /// changed issue goes to `guance.issue-events` (so the card changes at once) before the `ReplyResult` (a failure
    /// is explained in the card's thread by the confirmer).
    func actionCommand(_ record: KafkaRecord) -> WriterCommand? {
        guard let value = record.value, let action = try? EventCoding.decode(IssueAction.self, from: value) else {
            return nil
        }
        return WriterCommand(commandID: action.commandId, issueUUID: action.issueUUID, metricPrefix: "action_") {
            log in
            if let actions = self.actions { return try await actions.perform(action, log: log) }
            var result = ReplyResult(
                commandId: action.commandId, issueUUID: action.issueUUID, issueName: nil, outcome: .failed,
                replyUUID: nil, reason: "this writer cannot perform card actions",
                completedAt: EventCoding.rfc3339(self.now()), origin: action.origin)
            result.action = action.action
            return WriterCommand.Outcome(result: result, changed: nil)
        }
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
