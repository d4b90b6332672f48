import DevStack
import Events
import Foundation
import GuanceAPI
import KafkaClient
import Testing

@testable import Poller

@Suite("Guance pushes wake the poller that owns the target", .timeLimit(.minutes(2)))
struct PollTriggerTests {
    @Test func wakeUpsWhileBusyCollapseIntoOneAndAQuietWaitRunsToItsDeadline() async throws {
        let wakeup = PollWakeup()
        for _ in 0..<100 { wakeup.wake() }
        #expect(await wakeup.sleep(until: .now + .seconds(30)), "a pending wake-up ends the wait at once")
        let started = ContinuousClock.now
        #expect(!(await wakeup.sleep(until: .now + .milliseconds(200))), "the 100 wake-ups left one follow-up only")
        #expect(ContinuousClock.now - started >= .milliseconds(200))
    }
}

/// Wake-ups through Kafka with two instances sharing the targets.
extension PollerCoordinatorTests {
    /// Publishes a trigger for `target` and waits for Kafka's acknowledgement.
    func push(_ harness: PollerHarness, target: String) async throws {
        let trigger = PollTrigger(target: target, receivedAt: EventCoding.rfc3339(Date()))
        _ = try await harness.producer.send(
            KafkaProducerMessage(topic: Topics.pollTriggers, key: target, value: try EventCoding.encode(trigger)))
    }

    func listings(_ harness: PollerHarness, _ target: PollTarget) -> Int {
        harness.simulator.calls(apiKey: target.apiKey).filter { $0.endpoint == "issue_list" }.count
    }

    @Test func aPushMakesTheOwnerListAtOnceDespiteAMinuteIntervalAndABurstOf100CostsAtMostTwoListings() async throws {
        try await withPollerHarness(options: .unlimited) { harness in
            var targets = [harness.target("t0")]
            for index in 1..<4 {
                harness.simulator.addWorkspace(apiKey: "key-\(index)")
                targets.append(harness.target("t\(index)", apiKey: "key-\(index)"))
            }
            var settings = harness.settings(instance: "a")
            settings.pollInterval = .seconds(60)
            let first = harness.startInstance(targets: targets, name: "a", settings: settings)
            settings.instanceID = "b"
            let second = harness.startInstance(targets: targets, name: "b", settings: settings)
            try await eventually(timeout: .seconds(30), "all targets owned") {
                (first.owned + second.owned).sorted() == targets.map(\.name).sorted()
            }
            try await eventually(timeout: .seconds(20), "every target listed once (the first poll)") {
                targets.allSatisfy { listings(harness, $0) >= 1 }
            }

            // A new issue, then pushes (the listeners join their groups at the end of the topic: push until one
            // lands). With a 60 s interval only a wake-up can list the target within the wait.
            let target = targets[2]
            let issue = harness.simulator.addIssue(.init(name: "pushed", createAt: nowSeconds()), apiKey: target.apiKey)
            try await eventually(timeout: .seconds(20), interval: .milliseconds(500), "the push was polled") {
                try await push(harness, target: target.name)
                return try await harness.events().contains { $0.event.issue.uuid == issue.uuid }
            }

            // A burst of 100: the owner lists once for the first and at most once more for the rest.
            let before = listings(harness, target)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<100 { group.addTask { try await push(harness, target: target.name) } }
                try await group.waitForAll()
            }
            try await eventually(timeout: .seconds(10), "the burst was polled") { listings(harness, target) > before }
            // Quiet time for any further (wrong) listing to show up: a follow-up would run at once.
            try await Task.sleep(for: .seconds(2))
            #expect(listings(harness, target) - before <= 2)
            await first.stop()
            await second.stop()
        }
    }
}
