import Events
import KafkaClient
import Logging
import ServiceKit
import Synchronization
import Testing

@Suite("W3C traceparent")
struct TraceparentTests {
    static let sample = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func parsesTheSpecificationsExampleAndPrintsItBack() throws {
        let parsed = try #require(Traceparent(Self.sample))
        #expect(parsed.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(parsed.parentID == "00f067aa0ba902b7")
        #expect(parsed.flags == 1)
        #expect(parsed.description == Self.sample)
        #expect(Traceparent("  \(Self.sample) ") == parsed)
        // A later version may append fields; its first four are read.
        #expect(Traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-extra")?.flags == 0)
    }

    @Test(arguments: [
        "", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",  // missing flags
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // forbidden version
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero parent id
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",  // short trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // version 00 has exactly four fields
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bg-01",  // not hex
    ])
    func rejectsInvalidValues(_ value: String) {
        #expect(Traceparent(value) == nil)
    }

    @Test func newTracesAreValidAndDistinctAndChildrenKeepTheTrace() throws {
        let first = Traceparent.newTrace()
        let second = Traceparent.newTrace()
        #expect(Traceparent(first.description) == first)
        #expect(first.traceID != second.traceID)
        let child = first.child()
        #expect(child.traceID == first.traceID)
        #expect(child.parentID != first.parentID)
        #expect(Traceparent(child.description) == child)
        #expect(first.header.key == EventHeaders.traceparent)
    }

    @Test func recordsAndLoggersCarryTheTraceID() {
        let record = KafkaRecord(
            topic: "t", partition: 0, offset: 0, key: nil, value: nil,
            headers: [KafkaHeader(key: EventHeaders.traceparent, string: Self.sample)])
        #expect(record.traceparent?.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        let invalid = KafkaRecord(
            topic: "t", partition: 0, offset: 0, key: nil, value: nil,
            headers: [KafkaHeader(key: EventHeaders.traceparent, string: "garbage")])
        #expect(invalid.traceparent == nil)

        let logger = Logger(label: "test") { StreamLogHandler.standardError(label: $0) }  // keeps metadata
        #expect(logger.tracing(record.traceparent)[metadataKey: LogKey.traceID] == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(logger.tracing(nil)[metadataKey: LogKey.traceID] == nil)
    }
}
