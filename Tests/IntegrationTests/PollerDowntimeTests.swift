import DevStack
import Events
import Foundation
import GuanceAPI
import KafkaClient
import Testing

@testable import Poller

/// A killed poller on a state topic with several partitions (a broker's default when someone else created it)
/// finds its state again: issues of the downtime are announced once, older ones are not repeated.
@Suite("A poller killed on a multi-partition state topic resumes where it stopped", .timeLimit(.minutes(3)))
struct PollerDowntimeTests {
    func records(_ cluster: MockKafkaCluster, topic: String, partitions: Int32) async throws -> [KafkaRecord] {
        let tail = KafkaPartitionReader(
            kafka: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers), logger: PollerCrashTests.quietLogger
        )
        var records: [KafkaRecord] = []
        try await tail.read((0..<partitions).map { KafkaTopicPartition(topic: topic, partition: $0) }) {
            records.append($0)
        }
        return records
    }

    func events(_ cluster: MockKafkaCluster) async throws -> [IssueEvent] {
        try await records(cluster, topic: Topics.issueEvents, partitions: 3).compactMap { record in
            record.value.flatMap { try? EventCoding.decode(IssueEvent.self, from: $0) }
        }
    }

    /// Time is compressed by dating the issues: those the first process announces were created 5 minutes ago,
    /// the downtime's are spread over the 2 minutes before the restart's look-back (GUANCE_POLL_LOOKBACK=60), so a
    /// restart that did not find its state would start 60 s back and never announce them.
    @Test func sigkillTwoMinutesOfDowntimeAndSixStatePartitions() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        for topic in Topics.all(partitions: 3) {
            try cluster.createTopic(topic.name, partitions: topic.name == Topics.pollerState ? 6 : topic.partitions)
        }
        var options = GuanceSimulator.Options()
        options.keyRateLimit = nil
        let simulator = GuanceSimulator(options: options)
        try await simulator.start()
        var environment = [
            "KAFKA_BROKERS": cluster.bootstrapServers, "GUANCE_OPENAPI_URL": simulator.url,
            "GUANCE_API_KEY": simulator.apiKey, "GUANCE_RATE_LIMIT": "0", "GUANCE_POLL_INTERVAL": "0.2",
            "GUANCE_POLLER_SESSION_TIMEOUT": "3", "GUANCE_TRACK_WINDOW": "0", "LOG_LEVEL": "info",
            "GUANCE_POLL_LOOKBACK": "600",
        ]
        let now = Int64(Date().timeIntervalSince1970)
        let before = (0..<10).map {
            simulator.addIssue(.init(name: "before-\($0)", createAt: now - 300 + Int64($0))).uuid
        }
        let first = try ChildProcess("poller", environment: environment)
        try await eventually(timeout: .seconds(30), "the first process announced the issues before the kill") {
            try await events(cluster).count == before.count
        }
        // Its state is on a partition other than 0 (the earlier reader looked only there).
        let statePartitions = Set(try await records(cluster, topic: Topics.pollerState, partitions: 6).map(\.partition))
        #expect(!statePartitions.contains(0), "target default's state lands on \(statePartitions)")
        first.signal(SIGKILL)
        _ = try await first.waitForExit(timeout: .seconds(10))

        let downtime = (0..<24).map {
            simulator.addIssue(.init(name: "downtime-\($0)", createAt: now - 240 + Int64($0) * 5)).uuid
        }
        environment["GUANCE_POLL_LOOKBACK"] = "60"
        let second = try ChildProcess("poller", environment: environment)
        try await eventually(timeout: .seconds(60), "every issue of the downtime announced after the restart") {
            try await events(cluster).count >= before.count + downtime.count
        }
        try await Task.sleep(for: .seconds(1))  // a few more polls over the same window: still nothing twice
        let all = try await events(cluster)
        #expect(all.count == before.count + downtime.count, "\(second.outputText.suffix(2000))")
        #expect(Set(all.map(\.eventId)).count == all.count)
        #expect(Set(all.map(\.issue.uuid)) == Set(before + downtime))
        #expect(!second.outputText.contains("no saved state"))
        second.signal(SIGTERM)
        #expect(try await second.waitForExit(timeout: .seconds(15)) == 0)
        await simulator.stop()
    }
}
