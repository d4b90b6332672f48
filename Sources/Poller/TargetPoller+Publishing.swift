import Crypto
import Events
import Foundation
import GuanceAPI
import KafkaClient
import Logging
import ServiceKit
import Signing

/// Publishing a poll's events: in order per issue, issues in parallel, each with its event id and trace context.
extension TargetPoller {
    struct PublishOutcome {
        var publishedIDs: [String] = []
        var nextOffsets: [Int32: Int64] = [:]
        var failedIssues: Set<String> = []
        var firstError: (any Error)?
    }

    /// Publishes each issue's events in order; different issues in parallel.
    func publish(_ groups: [(String, [IssueEvent])]) async -> PublishOutcome {
        var outcome = PublishOutcome()
        var pending = groups[...]
        await withTaskGroup(of: (String, [String], [KafkaOffset], (any Error)?).self) { group in
            func startNext() {
                guard let (uuid, events) = pending.popFirst() else { return }
                group.addTask { await self.publishInOrder(uuid, events) }
            }
            for _ in 0..<settings.publishConcurrency { startNext() }
            while let (uuid, ids, offsets, error) = await group.next() {
                outcome.publishedIDs += ids
                for offset in offsets {
                    outcome.nextOffsets[offset.partition] = max(
                        outcome.nextOffsets[offset.partition] ?? 0, offset.offset + 1)
                }
                if let error {
                    outcome.failedIssues.insert(uuid)
                    if outcome.firstError == nil { outcome.firstError = error }
                }
                startNext()
            }
        }
        return outcome
    }

    private func publishInOrder(_ uuid: String, _ events: [IssueEvent]) async -> (
        String, [String], [KafkaOffset], (any Error)?
    ) {
        var ids: [String] = []
        var offsets: [KafkaOffset] = []
        for event in events {
            // The event's trace starts here: its lines carry the trace_id the notifier and the writer log with.
            let logger = self.logger.tracing(Self.traceparent(for: event))
            do {
                let value = try EventCoding.encode(event)
                let offset = try await publisher.send(
                    topic: settings.eventsTopic, key: uuid, value: value, headers: Self.headers(for: event))
                ids.append(event.eventId)
                offsets.append(offset)
                if event.kind != .reply, event.issue.description.hasSuffix(HTMLText.truncationMark) {
                    logger.notice(
                        "issue description cut for the event",
                        metadata: [
                            LogKey.issueUUID: "\(uuid)", LogKey.eventID: "\(event.eventId)",
                            "limit": "\(HTMLText.defaultLimit) characters",
                        ])
                }
                metrics.published(target: target.name, kind: event.kind.rawValue)
                if event.kind == .created {
                    metrics.eventDelay(seconds: Date().timeIntervalSince1970 - Double(event.issue.createAt))
                }
                logger.debug(
                    "published",
                    metadata: [
                        LogKey.eventID: "\(event.eventId)", LogKey.issueUUID: "\(uuid)", LogKey.offset: "\(offset)",
                    ])
            } catch {
                logger.error(
                    "publishing failed; the issue is retried next poll",
                    metadata: [
                        LogKey.eventID: "\(event.eventId)", LogKey.issueUUID: "\(uuid)", LogKey.error: "\(error)",
                    ])
                return (uuid, ids, offsets, error)
            }
        }
        return (uuid, ids, offsets, nil)
    }

    /// `event-id`, `content-type`, `schema` and the event's `traceparent`.
    static func headers(for event: IssueEvent) -> [KafkaHeader] {
        [
            KafkaHeader(key: EventHeaders.eventID, string: event.eventId),
            KafkaHeader(key: EventHeaders.contentType, string: EventHeaders.jsonContentType),
            KafkaHeader(key: EventHeaders.schema, string: IssueEvent.schemaV1),
            traceparent(for: event).header,
        ]
    }

    /// A W3C trace context derived from the event id: the same fact always has the same trace.
    static func traceparent(for event: IssueEvent) -> Traceparent {
        let digest = Array(SHA256.hash(data: Data(event.eventId.utf8)))
        let hex = Hex.encode(digest)
        return Traceparent(traceID: String(hex.prefix(32)), parentID: String(hex.dropFirst(32).prefix(16)))
    }
}
