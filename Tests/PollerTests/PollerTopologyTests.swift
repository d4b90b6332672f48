import DevStack
import Events
import Foundation
import KafkaClient
import Logging
import ServiceKit
import Synchronization
import TestSupport
import Testing

@testable import Poller

/// Topics created by someone else (a broker's auto-create, another partition count) and instances that do not
/// poll what they own: the poller adapts, or says so on every instance.
@Suite("The poller on topics it did not create", .timeLimit(.minutes(3)))
struct PollerTopologyTests {
    func startInstance(
        _ harness: PollerHarness, targets: [PollTarget], name: String, publisher: (any EventPublisher)? = nil
    ) -> PollerInstance {
        var settings = harness.settings(instance: name)
        settings.leaseInterval = .milliseconds(500)
        return harness.startInstance(targets: targets, name: name, settings: settings, publisher: publisher)
    }

    /// Eight workspaces, one target each: with 1 or 4 partitions, most targets hash (modulo the configured 12) to a
    /// partition that does not exist.
    func makeTargets(_ harness: PollerHarness, count: Int = 8) -> [PollTarget] {
        (0..<count).map { index in
            let key = "key-\(index)"
            harness.simulator.addWorkspace(apiKey: key)
            return harness.target("t\(index)", apiKey: key)
        }
    }

    @Test(arguments: [1, 4])
    func aCoordinationTopicWithAnotherPartitionCountStillDeliversEveryTargetsIssues(partitions: Int) async throws {
        try await withPollerHarness(
            options: .unlimited, topicPartitions: [Topics.pollerCoordination: partitions]
        ) { harness in
            let targets = makeTargets(harness)
            #expect(targets.contains { $0.coordinationPartition(of: 12) >= partitions }, "the test needs such a target")
            let instance = startInstance(harness, targets: targets, name: "a")
            try await eventually(timeout: .seconds(30), "every target owned") { instance.owned.count == targets.count }
            for target in targets {
                harness.simulator.addIssue(
                    .init(name: "issue-\(target.name)", createAt: nowSeconds() - 5), apiKey: target.apiKey)
            }
            try await eventually(timeout: .seconds(30), "one event per target") {
                try await harness.events().count == targets.count
            }
            #expect(Set(try await harness.events().map(\.event.issue.name)) == Set(targets.map { "issue-\($0.name)" }))
            #expect(await instance.health.evaluate().isEmpty)
            await instance.stop()
        }
    }

    @Test func aStateTopicWithSixPartitionsIsReadBackWhole() async throws {
        try await withPollerHarness(options: .unlimited, topicPartitions: [Topics.pollerState: 6]) { harness in
            let targets = makeTargets(harness)
            let store = PollerStateStore(
                publisher: harness.producer,
                reader: KafkaPartitionReader(kafka: harness.kafka, logger: guanceTestLogger))
            for (index, target) in targets.enumerated() {
                try await store.save(PollerState(target: target.name, cursor: Int64(index), since: 0))
            }
            var partitions = Set<Int32>()
            try await KafkaPartitionReader(kafka: harness.kafka, logger: guanceTestLogger).read(
                (0..<Int32(6)).map { KafkaTopicPartition(topic: Topics.pollerState, partition: $0) }
            ) { partitions.insert($0.partition) }
            #expect(partitions.count > 1, "keys spread over several partitions")
            for (index, target) in targets.enumerated() {
                #expect(try await store.load(target: target.name)?.cursor == Int64(index))
            }
        }
    }

    /// One instance owns a target but cannot write its state (so it never takes it over): nobody polls it. Both
    /// instances notice, name it, and report not ready; once the owner recovers, both are ready again.
    @Test func aTargetNobodyPollsFailsReadinessOnEveryInstance() async throws {
        try await withPollerHarness(
            options: .unlimited, topicPartitions: [Topics.pollerCoordination: 2]
        ) { harness in
            let targets = makeTargets(harness, count: 4)
            let broken = FailingTopicPublisher(harness.producer)
            broken.failing.withLock { $0 = [Topics.pollerState] }
            let first = startInstance(harness, targets: targets, name: "a")
            try await eventually(timeout: .seconds(30), "first owns everything") { first.owned.count == targets.count }
            let second = startInstance(harness, targets: targets, name: "b", publisher: broken)
            try await eventually(timeout: .seconds(30), "targets split") {
                !second.owned.isEmpty && first.owned.count + second.owned.count == targets.count
            }
            let stuck = second.owned.sorted()
            try await eventually(timeout: .seconds(30), "both instances name the targets nobody polls") {
                let reasons = [
                    await first.health.evaluate()[PollerCoordinator.ownershipCheck],
                    await second.health.evaluate()[PollerCoordinator.ownershipCheck],
                ]
                return reasons.allSatisfy { reason in stuck.allSatisfy { reason?.contains($0) == true } }
            }
            #expect(harness.logs.contains(level: .error, "poll targets not polled by any instance"))
            for name in first.owned {
                #expect(await first.health.evaluate()[PollerCoordinator.ownershipCheck]?.contains(name) == false)
            }

            broken.failing.withLock { $0 = [] }
            try await eventually(timeout: .seconds(30), "ready again once the owner writes its state") {
                let first = await first.health.evaluate()[PollerCoordinator.ownershipCheck]
                let second = await second.health.evaluate()[PollerCoordinator.ownershipCheck]
                return first == nil && second == nil
            }
            await second.stop()
            await first.stop()
        }
    }
}
