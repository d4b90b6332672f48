import DevStack
import Foundation
import GuanceAPI
import KafkaClient
import Synchronization
import Testing

/// Budgets of one key in separate "processes" (each its own ledger, producer and reader) on one mock cluster.
@Suite("One OpenAPI budget per key across processes", .timeLimit(.minutes(2)))
struct GuanceUsageLedgerTests {
    static let window = Duration.seconds(3)
    static let key = GuanceUsageRecord.keyHash(of: "shared-key")

    /// Runs `body` with a ledger of its own (a process), reading the cluster's usage topic.
    func withLedger<T: Sendable>(
        _ cluster: MockKafkaCluster, service: String, _ body: (GuanceUsageLedger) async throws -> T
    ) async throws -> T {
        try await withProducer(producerSettings(cluster, timeout: .seconds(5)), logger: testLogger) { producer in
            let ledger = GuanceUsageLedger(
                kafka: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers), producer: producer,
                service: service, logger: testLogger)
            let reader = Task { try await ledger.run() }
            defer { reader.cancel() }
            let result = try await body(ledger)
            reader.cancel()
            _ = await reader.result
            return result
        }
    }

    func budget(_ ledger: GuanceUsageLedger, limit: Int = 10, reserve: Int = 2) -> GuanceRequestBudget {
        GuanceRequestBudget(limit: limit, window: Self.window, reserve: reserve, key: Self.key, ledger: ledger)
    }

    /// The most grants inside any window of `window` length.
    static func worstWindow(_ times: [ContinuousClock.Instant], _ window: Duration) -> Int {
        let sorted = times.sorted()
        var best = 0
        var start = 0
        for end in sorted.indices {
            while sorted[end] - sorted[start] >= window { start += 1 }
            best = max(best, end - start + 1)
        }
        return best
    }

    @Test func twoProcessesTogetherStayWithinTheLimitAndRepliesGetTheReserve() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createProductTopics(partitions: 1)
        let grants = GrantLog()
        try await withLedger(cluster, service: "poller") { pollerLedger in
            try await withLedger(cluster, service: "reply-gateway") { writerLedger in
                let poller = budget(pollerLedger)
                let writer = budget(writerLedger)
                let start = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 {  // a busy poller: four callers that always want the next call
                        group.addTask {
                            while ContinuousClock.now - start < Self.window * 3 {
                                let grant = try await poller.acquire(priority: .polling)
                                grants.add(.polling)
                                await poller.finish(grant)
                            }
                        }
                    }
                    group.addTask {  // a burst of replies a window in
                        try await Task.sleep(for: Self.window)
                        try await withThrowingTaskGroup(of: Void.self) { replies in
                            for _ in 0..<6 {
                                replies.addTask {
                                    let grant = try await writer.acquire(priority: .interactive)
                                    grants.add(.interactive)
                                    await writer.finish(grant)
                                }
                            }
                            try await replies.waitForAll()
                        }
                    }
                    try await group.waitForAll()
                }
                let all = grants.entries.withLock { $0 }
                #expect(Self.worstWindow(all.map(\.0), Self.window) <= 10)
                let replies = all.filter { $0.1 == .interactive }.map(\.0).sorted()
                #expect(replies.count == 6)
                // Six replies at 10 per window with polling yielding: all inside one window after the burst.
                let burst = start + Self.window
                #expect(replies.last! - burst < Self.window + .milliseconds(500), "\(replies)")
                // While replies wait, polling claims nothing (a race at the very start aside).
                let overtaking = all.filter {
                    $0.1 == .polling && $0.0 > burst + .milliseconds(200) && $0.0 < replies.last!
                }
                #expect(overtaking.count <= 1, "polling took \(overtaking.count) calls while replies waited")
            }
        }
    }

    @Test func aRestartedProcessKnowsWhatWasSpentBeforeItsFirstCall() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createProductTopics(partitions: 1)
        let grants = try await withLedger(cluster, service: "poller") { ledger in
            let budget = budget(ledger)
            var grants: [ContinuousClock.Instant] = []
            for _ in 0..<10 {
                let grant = try await budget.acquire(priority: .interactive)
                grants.append(.now)
                await budget.finish(grant)
            }
            return grants
        }
        // A new process, at once: it reads the log first, so the ten calls of the window still count.
        let firstCall = try await withLedger(cluster, service: "poller") { ledger in
            _ = try await budget(ledger).acquire(priority: .interactive)
            return ContinuousClock.now
        }
        #expect(firstCall - grants[0] >= Self.window, "11 calls within \(firstCall - grants[0])")
    }

    @Test func withoutKafkaNoCallIsGranted() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createProductTopics(partitions: 1)
        try await withLedger(cluster, service: "reply-gateway") { ledger in
            let budget = budget(ledger)
            await budget.finish(try await budget.acquire())
            for broker in cluster.brokerIDs { try cluster.setBrokerDown(broker) }
            let granted = Mutex(false)
            let call = Task {
                _ = try await budget.acquire()
                granted.withLock { $0 = true }
            }
            // Another caller gives up (shutdown, lost ownership): it is not stuck behind Kafka.
            let givingUp = Task { try await budget.acquire(priority: .polling) }
            try await Task.sleep(for: .seconds(2))
            #expect(!granted.withLock { $0 }, "fail closed: no call while the log cannot take claims")
            let cancelledAt = ContinuousClock.now
            givingUp.cancel()
            if case .success = await givingUp.result { Issue.record("a cancelled caller got a call") }
            #expect(ContinuousClock.now - cancelledAt < .seconds(1))
            for broker in cluster.brokerIDs { try cluster.setBrokerUp(broker) }
            try await eventually(timeout: .seconds(20), "granted once Kafka is back") { granted.withLock { $0 } }
            _ = await call.result
        }
    }

    @Test func claimLatency() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createProductTopics(partitions: 1)
        try await withLedger(cluster, service: "poller") { ledger in
            var latencies: [Duration] = []
            for _ in 0..<200 {
                let outcome = try await ledger.claim(
                    key: "latency", priority: .interactive, limit: 1000, reserve: 0, window: .seconds(60))
                latencies.append(outcome.latency)
            }
            latencies.sort()
            let p50 = latencies[100]
            let p99 = latencies[198]
            print("claim round trip over the mock cluster: p50 \(p50), p99 \(p99), max \(latencies.last!)")
            #expect(p99 < .milliseconds(500))
        }
    }
}

/// Grants as they happen, from many tasks.
final class GrantLog: Sendable {
    let entries = Mutex<[(ContinuousClock.Instant, GuanceCallPriority)]>([])

    func add(_ priority: GuanceCallPriority) {
        entries.withLock { $0.append((.now, priority)) }
    }
}
