import DevStack
import Foundation
import Testing

@testable import Poller

@Suite("Several poller instances share the targets through Kafka group membership", .timeLimit(.minutes(2)))
struct PollerCoordinatorTests {
    func startInstance(_ harness: PollerHarness, targets: [PollTarget], name: String) -> PollerInstance {
        harness.startInstance(targets: targets, name: name, health: harness.health)
    }

    /// Four workspaces (API keys), one target each.
    func makeTargets(_ harness: PollerHarness) -> [PollTarget] {
        var targets = [harness.target("t0")]
        for index in 1..<4 {
            let key = "key-\(index)"
            harness.simulator.addWorkspace(apiKey: key)
            targets.append(harness.target("t\(index)", apiKey: key))
        }
        return targets
    }

    func addIssues(_ harness: PollerHarness, _ targets: [PollTarget], prefix: String) {
        for target in targets {
            harness.simulator.addIssue(
                .init(name: "\(prefix)-\(target.name)", createAt: nowSeconds() - 5), apiKey: target.apiKey)
        }
    }

    @Test func twoInstancesSplitTargetsWithoutDuplicatesAndASurvivorTakesOver() async throws {
        try await withPollerHarness(options: .unlimited) { harness in
            let targets = makeTargets(harness)
            // Spread over the 12 coordination partitions: make sure both instances get at least one target.
            let first = startInstance(harness, targets: targets, name: "a")
            let second = startInstance(harness, targets: targets, name: "b")
            try await eventually(timeout: .seconds(30), "all targets owned exactly once") {
                let owned = first.owned + second.owned
                return owned.sorted() == targets.map(\.name).sorted()
            }
            #expect(Set(first.owned).isDisjoint(with: second.owned))
            #expect(!first.owned.isEmpty && !second.owned.isEmpty)

            addIssues(harness, targets, prefix: "one")
            try await eventually(timeout: .seconds(20), "one event per target") {
                try await harness.events().count == targets.count
            }

            // Stop the first instance gracefully: the second polls every target.
            await first.stop()
            try await eventually(timeout: .seconds(20), "survivor owns everything") {
                second.owned.count == targets.count
            }
            addIssues(harness, targets, prefix: "two")
            try await eventually(timeout: .seconds(20), "events of every target after the hand-over") {
                try await harness.events().count == 2 * targets.count
            }
            // A few more polls: still no duplicates.
            try await Task.sleep(for: .seconds(1))
            let events = try await harness.events()
            #expect(events.count == 2 * targets.count)
            #expect(Set(events.map(\.event.eventId)).count == events.count)
            await second.stop()
        }
    }

    @Test func aCrashedInstancesTargetsMoveAfterTheSessionTimeout() async throws {
        try await withPollerHarness(options: .unlimited) { harness in
            let targets = makeTargets(harness)
            let first = startInstance(harness, targets: targets, name: "a")
            try await eventually(timeout: .seconds(30), "first owns everything") { first.owned.count == targets.count }
            let second = startInstance(harness, targets: targets, name: "b")
            try await eventually(timeout: .seconds(30), "targets split") {
                !second.owned.isEmpty && first.owned.count + second.owned.count == targets.count
            }
            addIssues(harness, targets, prefix: "one")
            try await eventually(timeout: .seconds(20), "one event per target") {
                try await harness.events().count == targets.count
            }

            await first.service.coordinator.crashForTesting()
            try await eventually(timeout: .seconds(30), "survivor owns everything after the session timeout") {
                second.owned.count == targets.count
            }
            addIssues(harness, targets, prefix: "two")
            try await eventually(timeout: .seconds(20), "events of every target after the crash") {
                try await harness.events().count == 2 * targets.count
            }
            let events = try await harness.events()
            #expect(Set(events.map(\.event.eventId)).count == events.count)
            await second.stop()
            first.task.cancel()
            _ = await first.task.result
        }
    }
}
