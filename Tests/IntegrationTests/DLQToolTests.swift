import DevStack
import Events
import Foundation
import KafkaClient
import Logging
import Testing

@testable import Notifier

/// `notifier dlq list|replay` against a mock cluster whose DLQ holds records parked the way the notifier parks them.
@Suite("notifier dlq lists and replays parked records", .timeLimit(.minutes(2)))
struct DLQToolTests {
    static let dlq = Topics.deadLetter(of: Topics.issueEvents)
    static let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }

    /// A cluster with the product topics and three parked records: two permanent 400s from feishu, one template error.
    static func parkedCluster() async throws -> MockKafkaCluster {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createProductTopics(partitions: 3)
        let reasons = [
            ("issue-a", "HTTP 400 from feishu: invalid card", "feishu"),
            ("issue-b", "template error: unknown variable", nil),
            ("issue-c", "HTTP 400 from feishu: too long", "feishu"),
        ]
        try await withProducer(Self.producerSettings(cluster), logger: logger) { producer in
            for (index, (key, reason, sink)) in reasons.enumerated() {
                let original = KafkaRecord(
                    topic: Topics.issueEvents, partition: Int32(index), offset: Int64(10 + index),
                    key: Array(key.utf8), value: Array("{\"issue\":\"\(key)\"}".utf8),
                    headers: [
                        KafkaHeader(key: EventHeaders.eventID, string: "event-\(key)"),
                        KafkaHeader(key: EventHeaders.traceparent, string: traceparent),
                    ])
                _ = try await producer.send(original.deadLetter(reason: reason, sink: sink))
            }
        }
        return cluster
    }

    static func producerSettings(_ cluster: MockKafkaCluster) -> KafkaProducerSettings {
        KafkaProducerSettings(client: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers))
    }

    static func tool(_ cluster: MockKafkaCluster) -> DLQTool {
        DLQTool(
            kafka: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers), logger: logger,
            timeout: .seconds(15))
    }

    @Test func listSelectsByReasonOffsetAndTime() async throws {
        let cluster = try await Self.parkedCluster()
        let tool = Self.tool(cluster)

        let all = try await tool.list(topic: Self.dlq, selection: DLQSelection())
        #expect(all.map(\.keyString) == ["issue-a", "issue-b", "issue-c"])
        #expect(all[0].header(EventHeaders.dlqSourceTopic) == Topics.issueEvents)
        let text = DLQListing.describe(all[0])
        #expect(text.contains("reason: HTTP 400 from feishu: invalid card"))
        #expect(text.contains("sink: feishu  source: guance.issue-events[0]@10"))
        #expect(text.contains("value: {\"issue\":\"issue-a\"}"))

        let feishu = try await tool.list(topic: Self.dlq, selection: DLQSelection(reasonContains: "FROM FEISHU"))
        #expect(feishu.map(\.keyString) == ["issue-a", "issue-c"])

        let second = all[1]
        let byOffset = try await tool.list(
            topic: Self.dlq,
            selection: DLQSelection(positions: [DLQPosition(partition: second.partition, offset: second.offset)]))
        #expect(byOffset.map(\.keyString) == ["issue-b"])

        let recent = try await tool.list(
            topic: Self.dlq, selection: DLQSelection(since: Date().addingTimeInterval(-3600)))
        #expect(recent.count == 3)
        let future = try await tool.list(
            topic: Self.dlq, selection: DLQSelection(since: Date().addingTimeInterval(3600)))
        #expect(future.isEmpty)
    }

    @Test func replayRepublishesTheOriginalRecordsToTheSourceTopic() async throws {
        let cluster = try await Self.parkedCluster()
        let tool = Self.tool(cluster)
        let replayed = try await withProducer(Self.producerSettings(cluster), logger: Self.logger) { producer in
            try await tool.replay(
                topic: Self.dlq, selection: DLQSelection(reasonContains: "from feishu"), producer: producer)
        }
        #expect(replayed.map(\.destination.topic) == [Topics.issueEvents, Topics.issueEvents])

        let arrived = try await DeadLetterReader(
            kafka: tool.kafka, logger: Self.logger, timeout: .seconds(15)
        ).records(topic: Topics.issueEvents)
        #expect(arrived.compactMap(\.keyString).sorted() == ["issue-a", "issue-c"])
        for record in arrived {
            let key = try #require(record.keyString)
            #expect(record.value == Array("{\"issue\":\"\(key)\"}".utf8))
            #expect(record.header(EventHeaders.eventID) == "event-\(key)")
            #expect(record.header(EventHeaders.traceparent) == Self.traceparent)
            #expect(!record.headers.contains { $0.key.hasPrefix("dlq-") })
        }
    }

    @Test func theNotifierExecutableListsAndReplaysAndRefusesAnUnfilteredReplay() async throws {
        let cluster = try await Self.parkedCluster()
        let environment = ["KAFKA_BROKERS": cluster.bootstrapServers]

        let list = try ChildProcess(
            "notifier", arguments: ["dlq", "list", "--topic", Self.dlq, "--since", "2h"], environment: environment)
        #expect(try await list.waitForExit(timeout: .seconds(30)) == 0)
        try await eventually(timeout: .seconds(5), "list output") { list.outputText.contains("3 record(s)") }
        #expect(list.outputText.contains("reason: template error: unknown variable"))
        #expect(list.outputText.contains("key=issue-c"))

        let unfiltered = try ChildProcess("notifier", arguments: ["dlq", "replay"], environment: environment)
        #expect(try await unfiltered.waitForExit(timeout: .seconds(30)) != 0)
        try await eventually(timeout: .seconds(5), "usage error") { unfiltered.outputText.contains("--all") }

        let all = try await Self.tool(cluster).list(topic: Self.dlq, selection: DLQSelection())
        let target = all[1]
        let replay = try ChildProcess(
            "notifier", arguments: ["dlq", "replay", "--offset", "\(target.partition):\(target.offset)"],
            environment: environment)
        #expect(try await replay.waitForExit(timeout: .seconds(30)) == 0)
        try await eventually(timeout: .seconds(5), "replay output") {
            replay.outputText.contains("1 record(s) replayed")
        }
        #expect(replay.outputText.contains("key=issue-b"))

        let arrived = try await DeadLetterReader(
            kafka: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers), logger: Self.logger,
            timeout: .seconds(15)
        ).records(topic: Topics.issueEvents)
        #expect(arrived.map(\.keyString) == ["issue-b"])
    }

    @Test func sinceAndOffsetArgumentsParse() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(DLQSelection.parseSince("2h", now: now) == now.addingTimeInterval(-7200))
        #expect(DLQSelection.parseSince("90s", now: now) == now.addingTimeInterval(-90))
        #expect(
            DLQSelection.parseSince("2026-11-30T12:00:00Z")
                == Date(timeIntervalSince1970: 1_796_040_000))
        #expect(DLQSelection.parseSince("2026-11-30T20:00:00.5+08:00") != nil)
        #expect(DLQSelection.parseSince("yesterday") == nil)
        #expect(DLQPosition("2:41") == DLQPosition(partition: 2, offset: 41))
        #expect(DLQPosition("2") == nil)
        #expect(DLQPosition("-1:3") == nil)
    }
}
