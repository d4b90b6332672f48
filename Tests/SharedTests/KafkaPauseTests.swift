import DevStack
import Foundation
import KafkaClient
import Testing

@Suite("Kafka consumer pauses never outlive a rebalance", .timeLimit(.minutes(3)))
struct KafkaPauseTests {
    typealias Reader = KafkaConsumerGroupTests.Reader

    /// A member pauses its partitions for back-pressure; a second member joins and leaves. Each partition that comes
    /// back must be fetched again: librdkafka alone keeps the pause, and whoever paused it (a partition worker) is
    /// gone after the revoke, so nothing would ever resume it.
    @Test func partitionsPausedBeforeARebalanceAreFetchedAfterIt() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createTopic("paused", partitions: 2)
        let groups = KafkaConsumerGroupTests()
        let first = Reader(
            try KafkaConsumerClient(
                settings: consumerSettings(cluster, group: "g-paused", topics: ["paused"]), logger: testLogger))
        first.start()
        try await eventually("first member owns both partitions") { first.consumer.assignment.count == 2 }
        try await groups.produce(cluster, topic: "paused", count: 20)
        try await eventually("first 20 read") { Set(first.values).count == 20 }

        let both = (0..<Int32(2)).map { KafkaTopicPartition(topic: "paused", partition: $0) }
        first.consumer.pause(both)
        #expect(first.consumer.pausedPartitions == Set(both))

        // A member joins (the first loses a partition, eager protocol: loses both, gets one back) and leaves.
        let second = Reader(
            try KafkaConsumerClient(
                settings: consumerSettings(cluster, group: "g-paused", topics: ["paused"]), logger: testLogger))
        second.start()
        try await eventually("the group split") {
            first.consumer.assignment.count == 1 && second.consumer.assignment.count == 1
        }
        await second.stop()
        await second.consumer.close()
        try await eventually("first member owns both partitions again") { first.consumer.assignment.count == 2 }
        #expect(first.consumer.pausedPartitions.isEmpty)

        try await groups.produce(cluster, topic: "paused", count: 40, from: 20)
        try await eventually(timeout: .seconds(20), "records of both partitions read after the rebalance") {
            Set(first.values + second.values).isSuperset(of: (20..<60).map(String.init))
        }
        await first.stop()
        await first.consumer.close()
    }
}
