import DevStack
import Foundation
import KafkaClient
import Synchronization
import Testing

@Suite("Kafka consumer groups: split, hand-over, redelivery", .timeLimit(.minutes(3)))
struct KafkaConsumerGroupTests {
    func produce(_ cluster: MockKafkaCluster, topic: String, count: Int, from start: Int = 0) async throws {
        try await withProducer(producerSettings(cluster), logger: testLogger) { producer in
            try await withThrowingTaskGroup(of: KafkaOffset.self) { group in
                for index in start..<(start + count) {
                    group.addTask {
                        try await producer.send(topic: topic, key: "issue_\(index)", value: Array("\(index)".utf8))
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// Reads in the background into a shared set, marking each record handled.
    final class Reader: Sendable {
        let consumer: KafkaConsumerClient
        let seen = Mutex<[String]>([])
        let task: Mutex<Task<Void, Never>?> = Mutex(nil)

        init(_ consumer: KafkaConsumerClient) {
            self.consumer = consumer
        }

        func start() {
            let task = Task { [self] in
                do {
                    for try await record in consumer.records {
                        self.seen.withLock { $0.append(String(decoding: record.value ?? [], as: UTF8.self)) }
                        consumer.markHandled(record)
                    }
                } catch {}
            }
            self.task.withLock { $0 = task }
        }

        func stop() async {
            let task = self.task.withLock { $0 }
            task?.cancel()
            await task?.value
        }

        var values: [String] { seen.withLock { $0 } }
    }

    @Test func twoMembersSplitThePartitionsAndACloseHandsThemOver() async throws {
        let cluster = try MockKafkaCluster(brokers: 3)
        try cluster.createTopic("split", partitions: 6)
        let first = Reader(
            try KafkaConsumerClient(
                settings: consumerSettings(cluster, group: "g-split", topics: ["split"]), logger: testLogger))
        let second = Reader(
            try KafkaConsumerClient(
                settings: consumerSettings(cluster, group: "g-split", topics: ["split"]), logger: testLogger))
        first.start()
        second.start()
        try await eventually("both members own partitions") {
            !first.consumer.assignment.isEmpty && !second.consumer.assignment.isEmpty
                && first.consumer.assignment.count + second.consumer.assignment.count == 6
        }
        #expect(first.consumer.assignment.isDisjoint(with: second.consumer.assignment))

        try await produce(cluster, topic: "split", count: 300)
        try await eventually("all 300 read") { Set(first.values + second.values).count == 300 }
        #expect(!first.values.isEmpty && !second.values.isEmpty)

        // The first member leaves cleanly: the second takes every partition and reads what follows.
        await first.stop()
        await first.consumer.close()
        try await eventually("second owns all partitions") { second.consumer.assignment.count == 6 }
        try await produce(cluster, topic: "split", count: 100, from: 300)
        try await eventually("all 400 read") { Set(first.values + second.values).count == 400 }
        await second.stop()
        await second.consumer.close()
        #expect(Set(first.values + second.values) == Set((0..<400).map(String.init)))
    }

    /// One ordered log for the revoke handler and the consuming loop.
    final class EventLog: Sendable {
        let entries = Mutex<[String]>([])
        func add(_ lines: [String]) { entries.withLock { $0 += lines } }
        var all: [String] { entries.withLock { $0 } }
        var recordValues: [Int] { all.compactMap { $0.hasPrefix("record ") ? Int($0.dropFirst(7)) : nil } }
    }

    /// The revoke handler runs inside the rebalance, on the poll that serves it: every record fetched after the
    /// rebalance comes after the revoke in the consuming loop's view (the notifier relies on this to never hand a
    /// record of a partition that came straight back to the worker it is cancelling).
    @Test func theRevokeHandlerRunsInsideTheRebalanceBeforeLaterRecords() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createTopic("revoke", partitions: 4)
        let log = EventLog()
        let first = try KafkaConsumerClient(
            settings: consumerSettings(cluster, group: "g-revoke", topics: ["revoke"]), logger: testLogger)
        first.setRevokeHandler { partitions in log.add(["revoke \(partitions.count)"]) }
        let reading = Task {
            for try await batch in first.recordBatches {
                log.add(batch.map { "record " + String(decoding: $0.value ?? [], as: UTF8.self) })
            }
        }
        try await eventually("the first member owns every partition") { first.assignment.count == 4 }
        try await produce(cluster, topic: "revoke", count: 20)
        try await eventually("20 read") { log.recordValues.count == 20 }
        #expect(!log.all.contains { $0.hasPrefix("revoke") })

        // A second member joins: eager rebalancing revokes all four from the first, then gives some back.
        let second = Reader(
            try KafkaConsumerClient(
                settings: consumerSettings(cluster, group: "g-revoke", topics: ["revoke"]), logger: testLogger))
        second.start()
        try await eventually("the members split the partitions") {
            !second.consumer.assignment.isEmpty && first.assignment.count + second.consumer.assignment.count == 4
        }
        try await produce(cluster, topic: "revoke", count: 20, from: 20)
        try await eventually("all 40 read") {
            Set(log.recordValues.map(String.init) + second.values).isSuperset(of: (0..<40).map(String.init))
        }
        let entries = log.all
        let revoke = try #require(entries.firstIndex(of: "revoke 4"))
        let firstLater = entries.firstIndex { Int($0.dropFirst(7)).map { $0 >= 20 } ?? false }
        #expect(firstLater.map { revoke < $0 } ?? true, "\(entries)")

        // Closing revokes what the first member still has, through the same handler.
        reading.cancel()
        _ = await reading.result
        let before = log.all.filter { $0.hasPrefix("revoke") }.count
        await first.close()
        #expect(log.all.filter { $0.hasPrefix("revoke") }.count == before + 1)
        await second.stop()
        await second.consumer.close()
    }

    @Test func handledButUnmarkedRecordsAreRedeliveredAfterRestartMarkedOnesAreNot() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createTopic("redeliver", partitions: 1)
        try await produce(cluster, topic: "redeliver", count: 10)

        let settings = consumerSettings(cluster, group: "g-redeliver", topics: ["redeliver"])
        let consumer = try KafkaConsumerClient(settings: settings, logger: testLogger)
        let records = try await collect(consumer, count: 10, markHandled: false)
        for record in records.prefix(6) { consumer.markHandled(record) }
        await consumer.close()  // commits offset 6

        let restarted = try KafkaConsumerClient(settings: settings, logger: testLogger)
        let again = try await collect(restarted, count: 4)
        await restarted.close()
        #expect(again.map(\.offset) == [6, 7, 8, 9])
    }

    @Test func aCrashedMemberLosesItsPartitionsAndNothingIsLost() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createTopic("crash", partitions: 4)
        let settings = consumerSettings(cluster, group: "g-crash", topics: ["crash"])
        let crashing = try KafkaConsumerClient(settings: settings, logger: testLogger)
        try await produce(cluster, topic: "crash", count: 40)
        // Handle everything but mark only the first half of what arrives, then die without committing or leaving.
        let records = try await collect(crashing, count: 40, markHandled: false)
        for record in records.prefix(20) { crashing.markHandled(record) }
        try await crashing.commit()
        crashing.abandonWithoutClosing()

        let survivor = Reader(try KafkaConsumerClient(settings: settings, logger: testLogger))
        survivor.start()
        // After the session timeout the survivor owns all partitions and reads the unmarked half again.
        try await eventually(timeout: .seconds(30), "survivor reads the unmarked records") {
            Set(survivor.values) == Set(records.suffix(20).map { String(decoding: $0.value!, as: UTF8.self) })
        }
        #expect(survivor.values.count == 20)
        await survivor.stop()
        await survivor.consumer.close()
        withExtendedLifetime(crashing) {}
    }

    @Test func pausedPartitionsDeliverNothingUntilResumed() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createTopic("paused", partitions: 1)
        let consumer = try KafkaConsumerClient(
            settings: consumerSettings(cluster, group: "g-paused", topics: ["paused"]), logger: testLogger)
        try await produce(cluster, topic: "paused", count: 1)
        _ = try await collect(consumer, count: 1)
        let partition = KafkaTopicPartition(topic: "paused", partition: 0)
        consumer.pause([partition])
        try await produce(cluster, topic: "paused", count: 5, from: 1)
        let whilePaused = try? await collect(consumer, count: 1, timeout: .seconds(2))
        #expect(whilePaused == nil)
        consumer.resume([partition])
        let afterResume = try await collect(consumer, count: 5)
        await consumer.close()
        #expect(afterResume.map(\.offset) == [1, 2, 3, 4, 5])
    }
}
