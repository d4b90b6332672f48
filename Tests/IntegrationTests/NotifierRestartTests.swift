import DevStack
import Events
import Foundation
import KafkaClient
import Logging
import Testing

/// A deploy: the notifier is stopped with SIGTERM and started again. The stopped member must leave its group before it
/// exits (a LeaveGroup, after the final commit), so the next member takes the partitions without waiting for the old
/// one's session to time out; the restarted process delivers what arrived meanwhile, once.
@Suite("A notifier stopped with SIGTERM leaves its group; the restarted one delivers", .timeLimit(.minutes(1)))
struct NotifierRestartTests {
    @Test func aStoppedNotifierLeavesItsGroupAndTheRestartedOneDeliversTheNextRecord() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createProductTopics(partitions: 6)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let capture = ChatCapture(options: ChatCapture.Options(enforceRateLimits: false))
        try await capture.start()
        let environment = [
            "KAFKA_BROKERS": cluster.bootstrapServers, "FEISHU_WEBHOOK_URL": capture.feishuURL,
            "FEISHU_WEBHOOK_RATE_LIMIT": "0", "LOG_LEVEL": "debug", "KAFKA_PROP_DEBUG": "cgrp",
            // The mock keeps a group that its last member left in a rebalance for session.timeout.ms - 1 s; a short
            // session keeps the test short. A crashed member would hold the partitions for the whole session.
            "KAFKA_PROP_SESSION_TIMEOUT_MS": "3000", "KAFKA_PROP_HEARTBEAT_INTERVAL_MS": "500",
        ]
        let settings = KafkaProducerSettings(client: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers))
        func publish(_ n: Int) async throws {
            try await withProducer(settings, logger: logger) { producer in
                let event = NotifierProcessTests.event(n)
                _ = try await producer.send(
                    topic: Topics.issueEvents, key: event.issue.uuid, value: try EventCoding.encode(event))
            }
        }
        func delivered() -> [String] { NotifierProcessTests.issueIDs(capture.accepted(.feishu)) }

        try await publish(1)
        let first = try ChildProcess("notifier", environment: environment)
        defer { if first.isRunning { first.signal(SIGKILL) } }
        try await eventually(timeout: .seconds(20), "first record delivered") { delivered().contains("issue_1") }
        first.signal(SIGTERM)
        #expect(try await first.waitForExit(timeout: .seconds(15)) == 0, "\(first.outputText)")
        // librdkafka's cgrp debug lines: the close sent a LeaveGroup and got its answer before the process exited.
        #expect(first.outputText.contains(#"Group "notifier": leave"#), "\(first.outputText.suffix(4000))")
        #expect(first.outputText.contains("LeaveGroup response received"), "\(first.outputText.suffix(4000))")

        try await publish(2)
        let second = try ChildProcess("notifier", environment: environment)
        defer { if second.isRunning { second.signal(SIGKILL) } }
        // Mock: 2 s for the emptied group's rebalance (session - 1 s) or 3 s for a first join, then sync and fetch.
        try await eventually(timeout: .seconds(15), "next record delivered after the restart") {
            delivered().contains("issue_2")
        }
        second.signal(SIGTERM)
        #expect(try await second.waitForExit(timeout: .seconds(15)) == 0, "\(second.outputText)")
        #expect(delivered().filter { $0 == "issue_2" }.count == 1, "\(delivered())")
        await capture.stop()
        withExtendedLifetime(cluster) {}
    }
}
