import DevStack
import Events
import Foundation
import KafkaClient
import Logging
import Synchronization
import TestSupport
import Testing

@testable import Notifier

/// The poller's `traceparent` reaches the notifier's per-record logs (`trace_id`) and the DLQ copy of a record.
@Suite("Trace context in the notifier")
struct TraceContextTests {
    static let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    final class Parked: DeadLetterPublisher {
        let messages = Mutex<[KafkaProducerMessage]>([])
        func publish(_ message: KafkaProducerMessage) async throws(KafkaClientError) {
            messages.withLock { $0.append(message) }
        }
    }

    @Test func aParkedRecordIsLoggedWithItsTraceIDAndKeepsItsTraceparent() async throws {
        let logs = LogCapture()
        let parked = Parked()
        let handler = RecordHandler(
            dispatchers: [:], router: EventRouter(sinkNames: [], routes: []), deadLetters: parked,
            logger: logs.logger("notifier"))
        let record = KafkaRecord(
            topic: Topics.issueEvents, partition: 2, offset: 7, key: Array("issue-1".utf8),
            value: Array("{not json".utf8),
            headers: [
                KafkaHeader(key: EventHeaders.eventID, string: "event-1"),
                KafkaHeader(key: EventHeaders.traceparent, string: Self.traceparent),
            ])
        #expect(await handler.finish(await handler.start(record)))

        let line = try #require(logs.entries.first { $0.message.contains("parked") })
        #expect(line.metadata[LogKey.traceID] == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(line.metadata[LogKey.issueUUID] == "issue-1")
        #expect(line.metadata[LogKey.eventID] == "event-1")
        #expect(line.metadata[LogKey.partition] == "2")

        let message = try #require(parked.messages.withLock { $0.first })
        #expect(message.topic == Topics.deadLetter(of: Topics.issueEvents))
        #expect(message.headers.first { $0.key == EventHeaders.traceparent }?.stringValue == Self.traceparent)
    }

    @Test func aRecordWithoutTraceparentLogsWithoutATraceID() {
        let record = KafkaRecord(topic: Topics.issueEvents, partition: 0, offset: 0, key: nil, value: nil)
        let logger = RecordHandler.logger(LogCapture().logger("n"), for: record)
        #expect(logger[metadataKey: LogKey.traceID] == nil)
        #expect(logger[metadataKey: LogKey.offset] == "0")
    }
}
