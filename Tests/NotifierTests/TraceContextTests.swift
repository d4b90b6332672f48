import Foundation
import Logging
import Shared
import Synchronization
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

    final class Lines: Sendable {
        let lines = Mutex<[(String, Logger.Metadata)]>([])
    }

    struct Capturing: LogHandler {
        let store: Lines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            store.lines.withLock { $0.append(("\(event.message)", merged)) }
        }
    }

    @Test func aParkedRecordIsLoggedWithItsTraceIDAndKeepsItsTraceparent() async throws {
        let lines = Lines()
        let parked = Parked()
        let handler = RecordHandler(
            dispatchers: [:], router: EventRouter(sinkNames: [], routes: []), deadLetters: parked,
            logger: Logger(label: "notifier") { _ in Capturing(store: lines) })
        let record = KafkaRecord(
            topic: Topics.issueEvents, partition: 2, offset: 7, key: Array("issue-1".utf8),
            value: Array("{not json".utf8),
            headers: [
                KafkaHeader(key: EventHeaders.eventID, string: "event-1"),
                KafkaHeader(key: EventHeaders.traceparent, string: Self.traceparent),
            ])
        #expect(await handler.finish(await handler.start(record)))

        let logged = lines.lines.withLock { $0 }
        let line = try #require(logged.first { $0.0.contains("parked") })
        #expect(line.1[LogKey.traceID] == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(line.1[LogKey.issueUUID] == "issue-1")
        #expect(line.1[LogKey.eventID] == "event-1")
        #expect(line.1[LogKey.partition] == "2")

        let message = try #require(parked.messages.withLock { $0.first })
        #expect(message.topic == Topics.deadLetter(of: Topics.issueEvents))
        #expect(message.headers.first { $0.key == EventHeaders.traceparent }?.stringValue == Self.traceparent)
    }

    @Test func aRecordWithoutTraceparentLogsWithoutATraceID() {
        let record = KafkaRecord(topic: Topics.issueEvents, partition: 0, offset: 0, key: nil, value: nil)
        let logger = RecordHandler.logger(Logger(label: "n") { _ in Capturing(store: Lines()) }, for: record)
        #expect(logger[metadataKey: LogKey.traceID] == nil)
        #expect(logger[metadataKey: LogKey.offset] == "0")
    }
}
