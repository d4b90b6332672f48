import Crypto
import Events
import Foundation
import KafkaClient
import Logging
import ServiceKit

/// Turns parsed chat messages into published `ReplyCommand`s: derives the command id from the platform's event id,
/// skips commands already acknowledged, and reports Kafka failures as `unavailable` (answered 503 so the platform
/// retries).
struct CommandIntake: Sendable {
    enum Outcome: String, Sendable {
        case published
        case duplicate
    }

    let publisher: any ReplyCommandPublisher
    let accepted: EventIDCache
    let logger: Logger
    var now: @Sendable () -> Date = { Date() }

    init(publisher: any ReplyCommandPublisher, dedupeCapacity: Int, logger: Logger) {
        self.publisher = publisher
        self.accepted = EventIDCache(capacity: dedupeCapacity)
        self.logger = logger
    }

    /// `cmd_` + the first 32 hex digits of SHA-256(platform + ":" + event id): the same callback always yields the
    /// same command id, different platforms never collide.
    static func commandID(platform: String, eventID: String) -> String {
        let digest = SHA256.hash(data: Data("\(platform):\(eventID)".utf8))
        return "cmd_" + digest.prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    func isDuplicate(_ commandID: String) -> Bool { accepted.contains(commandID) }

    /// Publishes the command unless it was already accepted. Concurrent duplicates may both be published; the
    /// writer's own dedupe covers that.
    func submit(_ text: CommandText, origin: ReplyCommand.Origin, commandID: String) async throws(IngressRejection)
        -> (ReplyCommand, Outcome)
    {
        let command = ReplyCommand(
            commandId: commandID, issueUUID: text.issueUUID, content: text.content,
            requestedAt: EventCoding.rfc3339(now()), origin: origin)
        if accepted.contains(commandID) { return (command, .duplicate) }
        let traceparent = Traceparent.newTrace()
        var logger = logger.tracing(traceparent)
        logger[metadataKey: LogKey.commandID] = "\(commandID)"
        logger[metadataKey: LogKey.issueUUID] = "\(text.issueUUID)"
        do {
            try await publisher.publish(command, traceparent: traceparent)
        } catch {
            logger.warning("reply command not acknowledged by Kafka", metadata: [LogKey.error: "\(error)"])
            throw .unavailable("Kafka did not acknowledge the command")
        }
        logger.info("reply command published")
        accepted.insert(commandID)
        return (command, .published)
    }
}
