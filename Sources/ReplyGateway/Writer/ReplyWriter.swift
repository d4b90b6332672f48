import Events
import Foundation
import GuanceAPI
import KafkaClient
import Logging
import Metrics
import ServiceKit
import ServiceLifecycle
import Synchronization
import Timing

/// Consumer group `reply-writer` on `guance.reply-commands`: writes each command as a reply on its issue through
/// the Guance OpenAPI, exactly once, and publishes a `ReplyResult` to `guance.reply-results`.
///
/// Exactly once: every reply carries `extend.source` and `extend.commandId` (`GuanceReplyMarker`). Before creating,
/// the writer lists the issue's replies for that command id when the record may have been handled before: after an
/// ambiguous failure (timeout, reset, 5xx), and for records produced before this member got the partition (a
/// previous owner may have written the reply and died before storing the offset). Commands handled by this member
/// are remembered, so a repeated command is skipped without any call.
///
/// The offset is stored only after the result is published (at-least-once; handling is idempotent).
final class ReplyWriter: Service, Sendable {
    struct Settings: Sendable {
        /// Attempts for one command before a `failed` result.
        var maxAttempts = 5
        var retryDelay: Duration = .seconds(1)
        /// Records produced less than this before (or any time before) the partition was assigned count as possibly
        /// seen by a previous owner (clock skew between gateway and writer hosts).
        var takeoverMargin: Duration = .seconds(30)
        /// Guance's documented maximum reply length (characters).
        var maxContentLength = 65_535
        var rememberedCommands = 10_000
        /// After an ambiguous failure, wait at least this long before looking for the reply: a request that timed
        /// out may still be executing at the server (set to the OpenAPI client's request timeout).
        var ambiguityWait: Duration = .seconds(10)
    }

    let consumer: KafkaConsumerClient
    let producer: KafkaProducerClient
    let guance: any GuanceReplies
    let settings: Settings
    let logger: Logger
    /// Test support: called after Guance accepted a reply and before anything else (simulates a crash there).
    let afterCreate: (@Sendable (ReplyCommand) throws -> Void)?
    let now: @Sendable () -> Date
    /// Readiness: `guance.writer` fails while Guance rejects the API key.
    let health: HealthChecks?
    /// Performs card actions (`guance.issue-action/v1` records on the same topic); nil fails them with a reason.
    let actions: IssueActionWriter?

    static let groupID = "reply-writer"
    static let healthName = "guance.writer"

    let handled: EventIDCache
    private let assignedAt = Mutex<[KafkaTopicPartition: Date]>([:])

    init(
        consumer: KafkaConsumerClient, producer: KafkaProducerClient, guance: any GuanceReplies,
        settings: Settings = Settings(), logger: Logger, health: HealthChecks? = nil,
        afterCreate: (@Sendable (ReplyCommand) throws -> Void)? = nil, now: @escaping @Sendable () -> Date = { Date() },
        actions: IssueActionWriter? = nil
    ) {
        self.actions = actions
        self.health = health
        self.afterCreate = afterCreate
        self.now = now
        self.consumer = consumer
        self.producer = producer
        self.guance = guance
        self.settings = settings
        self.logger = logger
        self.handled = EventIDCache(capacity: settings.rememberedCommands)
    }

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in self.consumer.rebalanceEvents { self.noteRebalance(event) }
            }
            defer { group.cancelAll() }
            for try await record in consumer.records.cancelOnGracefulShutdown() {
                try await handle(record)
                consumer.markHandled(record)
            }
        }
    }

    private func noteRebalance(_ event: KafkaRebalanceEvent) {
        let time = now()
        assignedAt.withLock { map in
            switch event {
            case .assigned(let partitions): for partition in partitions { map[partition] = time }
            case .revoked(let partitions): for partition in partitions { map[partition] = nil }
            }
        }
    }

    // MARK: - One record

    func handle(_ record: KafkaRecord) async throws {
        var log = logger.tracing(record.traceparent)
        log[metadataKey: LogKey.topic] = "\(record.topic)"
        log[metadataKey: LogKey.partition] = "\(record.partition)"
        log[metadataKey: LogKey.offset] = "\(record.offset)"
        let isAction = record.header(EventHeaders.schema) == IssueAction.schemaV1
        guard let command = isAction ? actionCommand(record) : replyCommand(record) else {
            let schema = isAction ? IssueAction.schemaV1 : ReplyCommand.schemaV1
            log.error("undecodable \(isAction ? "issue action" : "reply command") parked in the dead-letter topic")
            try await deadLetter(record, reason: "not a \(schema) value")
            count("dead_lettered")
            return
        }
        log[metadataKey: LogKey.commandID] = "\(command.commandID)"
        log[metadataKey: LogKey.issueUUID] = "\(command.issueUUID)"
        if handled.contains(command.commandID) {
            log.info("repeated \(isAction ? "issue action" : "reply command") skipped")
            count("duplicate")
            return
        }
        let outcome = try await command.perform(log)
        if let event = outcome.changed {
            try await publishUntilAcknowledged(
                topic: Topics.issueEvents, key: event.issue.uuid, value: try EventCoding.encode(event),
                eventID: event.eventId, schema: IssueEvent.schemaV1, trace: record.traceparent, log: log)
        }
        try await publish(outcome.result, trace: record.traceparent, log: log)
        handled.insert(command.commandID)
        count(command.metricPrefix + outcome.result.outcome.rawValue)
    }

    /// A `guance.reply-command/v1` record as the writer carries it out: the reply written once.
    private func replyCommand(_ record: KafkaRecord) -> WriterCommand? {
        guard let value = record.value, let command = try? EventCoding.decode(ReplyCommand.self, from: value) else {
            return nil
        }
        return WriterCommand(commandID: command.commandId, issueUUID: command.issueUUID, metricPrefix: "") { log in
            let result = try await self.write(command, suspect: self.mayHaveBeenHandled(record), log: log)
            return WriterCommand.Outcome(result: result, changed: nil)
        }
    }

    /// True when a previous owner of the partition may have handled this record already.
    private func mayHaveBeenHandled(_ record: KafkaRecord) -> Bool {
        guard let produced = record.timestampMilliseconds else { return true }
        let since = assignedAt.withLock { $0[record.topicPartition] } ?? now()
        let margin = Double(settings.takeoverMargin.milliseconds) / 1000
        return Double(produced) / 1000 < since.timeIntervalSince1970 + margin
    }

    private func write(_ command: ReplyCommand, suspect: Bool, log: Logger) async throws -> ReplyResult {
        func result(
            _ outcome: ReplyResult.Outcome, issueName: String? = nil, replyUUID: String? = nil,
            reason: String? = nil
        ) -> ReplyResult {
            ReplyResult(
                commandId: command.commandId, issueUUID: command.issueUUID, issueName: issueName, outcome: outcome,
                replyUUID: replyUUID, reason: reason, completedAt: EventCoding.rfc3339(now()), origin: command.origin)
        }
        if command.content.isEmpty {
            return result(.rejected, reason: "the reply text is empty")
        }
        if command.content.count > settings.maxContentLength {
            return result(
                .rejected,
                reason: "the reply has \(command.content.count) characters; Guance accepts at most 65,535")
        }
        var checkFirst = suspect
        var issueName: String?
        var lastError: GuanceAPIError?
        for attempt in 1...settings.maxAttempts {
            var created: GuanceReply?
            if attempt > 1 {
                var delay = Backoff(initial: settings.retryDelay, maximum: settings.retryDelay * 32)
                    .delay(afterFailures: attempt - 1)
                if lastError?.isAmbiguous == true { delay = max(delay, settings.ambiguityWait) }
                try await Task.sleep(for: delay)
            }
            do throws(GuanceAPIError) {
                if issueName == nil {
                    issueName = try await guance.getIssue(uuid: command.issueUUID).name
                    health?.clear(Self.healthName)
                }
                if checkFirst,
                    let existing = try await guance.findReply(
                        issueUUID: command.issueUUID, commandID: command.commandId, maxPages: 3, pageSize: 50)
                {
                    log.info("reply already written by an earlier attempt", metadata: ["reply": "\(existing.uuid)"])
                    return result(.written, issueName: issueName, replyUUID: existing.uuid)
                }
                let marker = GuanceReplyMarker(commandID: command.commandId)
                created = try await guance.createReply(
                    issueUUID: command.issueUUID, content: command.guanceContent,
                    extend: marker.extend(merging: command.chatUserExtend))
            } catch {
                if case .issueNotFound = error {
                    log.info("reply command for an unknown issue rejected")
                    return result(.rejected, reason: "issue \(command.issueUUID) does not exist")
                }
                lastError = error
                if error.isInvalidAPIKey {
                    health?.fail(Self.healthName, reason: "Guance rejected GUANCE_API_KEY (ft.InvalidAPIKey)")
                }
                // After an ambiguous failure the reply may exist: look before writing again.
                if error.isAmbiguous { checkFirst = true }
                guard error.isRetryable else { break }
                log.warning(
                    "writing the reply failed, retrying", metadata: [LogKey.error: "\(error)", "attempt": "\(attempt)"])
            }
            if let created {
                try afterCreate?(command)
                log.info("reply written", metadata: ["reply": "\(created.uuid)"])
                return result(.written, issueName: issueName, replyUUID: created.uuid)
            }
        }
        log.error("reply not written", metadata: [LogKey.error: "\(lastError.map { "\($0)" } ?? "-")"])
        return result(.failed, issueName: issueName, reason: lastError.map { "\($0)" } ?? "unknown error")
    }

    // MARK: - Output

    /// Publishes the result, retrying while Kafka is unavailable (the offset is not stored before this succeeds).
    /// The result continues the command's trace (a new one when the command carried none).
    func publish(_ result: ReplyResult, trace: Traceparent?, log: Logger) async throws {
        let value = try EventCoding.encode(result)
        let traceparent = trace?.child() ?? Traceparent.newTrace()
        let backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(5))
        var failures = 0
        while true {
            do {
                _ = try await producer.send(
                    topic: Topics.replyResults, key: result.issueUUID, value: value,
                    headers: [
                        KafkaHeader(key: EventHeaders.eventID, string: "result-" + result.commandId),
                        KafkaHeader(key: EventHeaders.contentType, string: EventHeaders.jsonContentType),
                        KafkaHeader(key: EventHeaders.schema, string: ReplyResult.schemaV1),
                        traceparent.header,
                    ])
                return
            } catch {
                if Task.isCancelled { throw error }
                log.warning("publishing the reply result failed, retrying", metadata: [LogKey.error: "\(error)"])
                failures += 1
                try await backoff.sleep(afterFailures: failures)
            }
        }
    }

    func deadLetter(_ record: KafkaRecord, reason: String) async throws {
        _ = try await producer.send(record.deadLetter(reason: reason))
    }

    func count(_ outcome: String) {
        Counter(label: "reply_gateway_writer_commands_total", dimensions: [("outcome", outcome)]).increment()
    }
}
