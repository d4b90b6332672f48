import DevStack
import Foundation
import KafkaClient
import Logging
import TestSupport
import Testing

@Suite("Start-up topic check", .timeLimit(.minutes(2)))
struct KafkaTopicCheckTests {
    /// librdkafka 2.0.2's mock cluster answers metadata but neither CreateTopics nor DescribeConfigs: the check
    /// sees partition counts, cannot see `cleanup.policy`, and says so instead of guessing.
    @Test func theMockClusterTellsPartitionCountsButNotCleanupPolicies() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createTopic("state", partitions: 6)
        let admin = try KafkaAdminClient(
            settings: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers), logger: testLogger)
        let started = ContinuousClock.now
        let found = try await admin.describeTopics(["state", "absent"], withConfig: ["state"], timeout: .seconds(3))
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(found["state"] == .init(partitions: 6, cleanupPolicy: nil))
        #expect(found["absent"] == .init(partitions: nil, cleanupPolicy: nil))
    }

    @Test func aMissingTopicIsOneLineWithTheCommandThatCreatesIt() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createTopic("present", partitions: 2)
        let logs = LogCapture()
        let kafka = KafkaClientSettings(bootstrapServers: cluster.bootstrapServers)
        await #expect(
            throws: KafkaTopicProblem.missing(
                topic: "absent",
                fix:
                    "kafka-topics.sh --bootstrap-server \(cluster.bootstrapServers) --create --topic absent --partitions 1"
                    + " --config cleanup.policy=compact")
        ) {
            _ = try await KafkaTopicCheck.run(
                [.init(name: "present", partitions: 2), .init(name: "absent", partitions: 1, compacted: true)],
                kafka: kafka, logger: logs.logger("check"))
        }
        let found = try await KafkaTopicCheck.run(
            [.init(name: "present", partitions: 4, compacted: true)], kafka: kafka, logger: logs.logger("check"))
        #expect(found["present"]?.partitions == 2)
        #expect(logs.contains(level: .warning, "could not read the topic's cleanup.policy"))
    }
}
