import DevStack
import Events
import Foundation
import GuanceAPI
import KafkaClient
import Logging
import Testing

@testable import Poller

@Suite("A killed poller process resumes without repeats or gaps", .timeLimit(.minutes(2)))
struct PollerCrashTests {
    static let quietLogger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }()

    func events(_ cluster: MockKafkaCluster) async throws -> [IssueEvent] {
        let tail = KafkaPartitionReader(
            kafka: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers), logger: Self.quietLogger)
        var events: [IssueEvent] = []
        try await tail.read((0..<Int32(3)).map { KafkaTopicPartition(topic: Topics.issueEvents, partition: $0) }) {
            if let value = $0.value, let event = try? EventCoding.decode(IssueEvent.self, from: value) {
                events.append(event)
            }
        }
        return events
    }

    @Test func sigkillDuringABurstThenRestartPublishesEveryIssueExactlyOnce() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createProductTopics(partitions: 3)
        var options = GuanceSimulator.Options()
        options.keyRateLimit = nil
        let simulator = GuanceSimulator(options: options)
        try await simulator.start()
        let environment = [
            "KAFKA_BROKERS": cluster.bootstrapServers, "GUANCE_OPENAPI_URL": simulator.url,
            "GUANCE_API_KEY": simulator.apiKey, "GUANCE_RATE_LIMIT": "0", "GUANCE_POLL_INTERVAL": "0.2",
            "GUANCE_POLLER_SESSION_TIMEOUT": "3", "GUANCE_TRACK_WINDOW": "0", "LOG_LEVEL": "info",
        ]
        let first = try ChildProcess("poller", environment: environment)
        try await eventually(timeout: .seconds(30), "first poller owns the target") {
            first.outputText.contains("no saved state: starting fresh")
        }
        // A burst that keeps going while the process is killed.
        let producer = Task {
            var created: [String] = []
            for round in 0..<40 {
                for index in 0..<8 { created.append(simulator.addIssue(.init(name: "r\(round)-\(index)")).uuid) }
                try await Task.sleep(for: .milliseconds(50))
            }
            return created
        }
        try await eventually(timeout: .seconds(30), "events flowing") { try await events(cluster).count >= 40 }
        first.signal(SIGKILL)
        _ = try await first.waitForExit(timeout: .seconds(10))
        let created = try await producer.value
        let before = try await events(cluster).count
        #expect(before < created.count, "the kill happened mid-burst")

        let second = try ChildProcess("poller", environment: environment)
        try await eventually(timeout: .seconds(45), "every issue announced after the restart") {
            try await events(cluster).count >= created.count
        }
        try await Task.sleep(for: .seconds(1))  // a few more polls over the same window: still nothing twice
        let all = try await events(cluster)
        #expect(all.count == created.count, "\(second.outputText.suffix(2000))")
        #expect(Set(all.map(\.eventId)).count == all.count)
        #expect(Set(all.map(\.issue.uuid)) == Set(created))
        second.signal(SIGTERM)
        #expect(try await second.waitForExit(timeout: .seconds(15)) == 0)
        await simulator.stop()
    }
}
