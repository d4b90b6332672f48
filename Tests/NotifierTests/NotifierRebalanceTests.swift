import DevStack
import Events
import Foundation
import KafkaClient
import Synchronization
import Testing

@testable import Notifier

/// A storm fills a partition's buffer (the consumer pauses it for back-pressure); then a member joins the group and
/// leaves again, so the partition is revoked and assigned back. Every event must still be delivered: before, the
/// partition came back paused and nothing ever resumed it.
@Suite("Notifier: a storm plus a rebalance", .timeLimit(.minutes(3)))
struct NotifierRebalanceTests {
    @Test func aPartitionPausedForAStormIsDeliveredAfterARebalance() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createTopic(Topics.issueEvents, partitions: 1)
        try cluster.createTopic(Topics.deadLetter(of: Topics.issueEvents), partitions: 1)
        var captureOptions = ChatCapture.Options(enforceRateLimits: false)
        captureOptions.latency = .milliseconds(10)
        let capture = ChatCapture(options: captureOptions)
        try await capture.start()
        let env = [
            "WEBHOOK_URL": capture.webhookURL, "WEBHOOK_RATE_LIMIT": "0", "NOTIFIER_MAX_IN_FLIGHT": "8",
        ]
        let events = (1...(PartitionWorker.highWatermark + 500)).map { makeEvent($0) }
        try await NotifierServiceTests.withNotifierConsumer(cluster, env: env, inGroup: true) { producer, consumer in
            try await Self.stormThenRebalance(events, producer: producer, consumer: consumer, capture: capture)
        }
        await capture.stop()
    }

    static func stormThenRebalance(
        _ events: [IssueEvent], producer: KafkaProducerClient, consumer: KafkaConsumerClient, capture: ChatCapture
    ) async throws {
        let partition = KafkaTopicPartition(topic: Topics.issueEvents, partition: 0)
        try await eventually(timeout: .seconds(30), "the notifier owns the partition") {
            consumer.assignment.contains(partition)
        }
        try await NotifierServiceTests.publish(producer, events)
        try await eventually(timeout: .seconds(30), "the storm paused the partition") {
            consumer.pausedPartitions.contains(partition)
        }

        // Another member joins (the range assignor gives it the only partition, or gives it back to the notifier
        // after revoking it: a rebalance either way) and leaves again without handling anything.
        let revocations = Mutex(0)
        let watching = Task {
            for await event in consumer.rebalanceEvents {
                if case let .revoked(partitions) = event, partitions.contains(partition) {
                    revocations.withLock { $0 += 1 }
                }
            }
        }
        let visitor = try KafkaConsumerClient(settings: consumer.settings, logger: testLogger)
        let visiting = Task { for try await _ in visitor.records {} }
        try await eventually(timeout: .seconds(30), "the join revoked the partition") {
            revocations.withLock { $0 } > 0
        }
        visiting.cancel()
        _ = await visiting.result
        await visitor.close()
        try await eventually(timeout: .seconds(30), "the partition is back") { consumer.assignment.contains(partition) }

        let expected = Set(events.map(eventBytes))
        try await eventually(timeout: .seconds(90), "every event of the storm delivered") {
            expected.isSubset(of: Set(capture.accepted(.webhook).map(\.body)))
        }
        #expect(consumer.pausedPartitions.isEmpty)
        watching.cancel()
    }
}
