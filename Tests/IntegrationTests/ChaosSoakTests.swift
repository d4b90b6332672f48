import AsyncHTTPClient
import DevStack
import Events
import Foundation
import GuanceAPI
import KafkaClient
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import Poller

/// A seeded random schedule of faults against the poller, the notifier and the reply gateway as processes: brokers
/// of a 3-broker mock cluster go down and up, processes are SIGKILLed and restarted, the Guance simulator answers
/// 5xx and rate limits, while issues keep being created and replies keep arriving at the gateway (each retried with
/// the same `Client-Token` until accepted, as Feishu automation retries). Afterwards every issue must reach the chat
/// as documented (none lost, none published twice to Kafka, chat duplicates only from records in flight when a
/// notifier was killed) and every reply must be on its issue exactly once.
/// `SOAK_SEED` replays a schedule; `SOAK_SECONDS` lengthens it.
@Suite("Chaos soak: brokers, processes and Guance failing at random", .timeLimit(.minutes(6)))
struct ChaosSoakTests {
    /// SplitMix64: a seeded generator, so a failing schedule can be replayed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let maxInFlight = 16
    static let partitions = 3

    @Test func noIssueLostNoneRepublishedUnderRandomFaults() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["SOAK_SEED"].flatMap(UInt64.init) ?? 20_261_202
        let seconds = environment["SOAK_SECONDS"].flatMap(Int.init) ?? 75
        var random = SeededGenerator(state: seed)

        let cluster = try MockKafkaCluster(brokers: 3)
        try cluster.createProductTopics(partitions: Self.partitions)
        var options = GuanceSimulator.Options()
        options.keyRateLimit = nil
        options.workspaceRateLimit = nil
        let simulator = GuanceSimulator(options: options)
        try await simulator.start()
        let capture = ChatCapture(options: .init(enforceRateLimits: false))
        try await capture.start()
        let pollerEnvironment = [
            "KAFKA_BROKERS": cluster.bootstrapServers, "GUANCE_OPENAPI_URL": simulator.url,
            "GUANCE_API_KEY": simulator.apiKey, "GUANCE_RATE_LIMIT": "0", "GUANCE_POLL_INTERVAL": "0.5",
            "GUANCE_POLLER_SESSION_TIMEOUT": "3", "GUANCE_TRACK_WINDOW": "0", "LOG_LEVEL": "warning",
        ]
        let notifierEnvironment = [
            "KAFKA_BROKERS": cluster.bootstrapServers, "WEBHOOK_URL": capture.webhookURL, "WEBHOOK_RATE_LIMIT": "0",
            "NOTIFIER_MAX_IN_FLIGHT": "\(Self.maxInFlight)", "LOG_LEVEL": "warning",
        ]
        let gatewayPort = try freePort()
        let gatewayEnvironment = [
            "KAFKA_BROKERS": cluster.bootstrapServers, "GUANCE_OPENAPI_URL": simulator.url,
            "GUANCE_API_KEY": simulator.apiKey, "GUANCE_RATE_LIMIT": "0", "FLOW_TOKEN": "soak",
            "GATEWAY_PORT": "\(gatewayPort)", "LOG_LEVEL": "warning",
        ]
        var poller = try ChildProcess("poller", environment: pollerEnvironment)
        var notifier = try ChildProcess("notifier", environment: notifierEnvironment)
        var gateway = try ChildProcess("reply-gateway", environment: gatewayEnvironment)
        let replies = ReplySender(url: "http://127.0.0.1:\(gatewayPort)/feishu/flow")
        var sent: [(issue: String, text: String)] = []
        var created: [String] = []
        var tally: [String: Int] = [:]
        let deadline = ContinuousClock.now + .seconds(seconds)
        var downBroker: Int32?
        while ContinuousClock.now < deadline {
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                created.append(simulator.addIssue(.init(name: "soak-\(created.count)")).uuid)
            }
            if Bool.random(using: &random) {
                let reply = (issue: created.randomElement(using: &random)!, text: "soak reply \(sent.count)")
                sent.append(reply)
                replies.enqueue(reply, token: "soak-\(seed)-\(sent.count)")
            }
            if let broker = downBroker {
                try cluster.setBrokerUp(broker)
                downBroker = nil
            }
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<12:
                let broker = cluster.brokerIDs.randomElement(using: &random)!
                try cluster.setBrokerDown(broker)
                downBroker = broker
                tally["broker down", default: 0] += 1
            case 12..<20:
                poller.signal(SIGKILL)
                _ = try await poller.waitForExit(timeout: .seconds(10))
                poller = try ChildProcess("poller", environment: pollerEnvironment)
                tally["poller SIGKILL", default: 0] += 1
            case 20..<28:
                notifier.signal(SIGKILL)
                _ = try await notifier.waitForExit(timeout: .seconds(10))
                notifier = try ChildProcess("notifier", environment: notifierEnvironment)
                tally["notifier SIGKILL", default: 0] += 1
            case 28..<34:
                gateway.signal(SIGKILL)
                _ = try await gateway.waitForExit(timeout: .seconds(10))
                gateway = try ChildProcess("reply-gateway", environment: gatewayEnvironment)
                tally["gateway SIGKILL", default: 0] += 1
            case 34..<40:
                simulator.injectFault(
                    .status(503, errorCode: "ServiceUnavailable"), endpoint: "issue_list",
                    count: Int.random(in: 1...4, using: &random))
                tally["Guance 5xx", default: 0] += 1
            case 40..<50:
                simulator.injectFault(.rateLimited, count: Int.random(in: 1...4, using: &random))
                tally["Guance rate limit", default: 0] += 1
            default:
                break
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 500...2000, using: &random)))
        }
        if let broker = downBroker { try cluster.setBrokerUp(broker) }

        let expected = Set(created)
        try await eventually(timeout: .seconds(150), "every issue of the soak delivered to the chat") {
            expected.isSubset(of: Set(Self.deliveredIssues(capture)))
        }
        try await eventually(timeout: .seconds(120), "every reply accepted by the gateway and on its issue") {
            replies.pending == 0
                && sent.allSatisfy { reply in
                    simulator.replies(issueUUID: reply.issue).contains { $0.content.contains(reply.text) }
                }
        }
        let doubleReplies = sent.filter { reply in
            simulator.replies(issueUUID: reply.issue).filter { $0.content.contains(reply.text) }.count > 1
        }.count
        let published = try await Self.publishedEventIDs(cluster)
        let delivered = Self.deliveredIssues(capture)
        let duplicates = delivered.count - Set(delivered).count
        let summary =
            "seed \(seed), \(seconds) s, \(created.count) issues, faults \(tally.sorted { $0.key < $1.key }), "
            + "published \(published.count) (distinct \(Set(published).count)), delivered \(delivered.count) "
            + "(distinct \(Set(delivered).count), duplicates \(duplicates)), replies \(sent.count) "
            + "(retried requests \(replies.retries), written twice \(doubleReplies))"
        print("chaos soak: \(summary)")
        #expect(Set(delivered) == expected, "lost or foreign issues: \(summary)")
        #expect(published.count == Set(published).count, "an event published twice: \(summary)")
        #expect(doubleReplies == 0, "a reply written twice: \(summary)")
        // A killed notifier redoes what it handed to the sink after its last commit: at most the in-flight window
        // of every partition per kill.
        let window = (tally["notifier SIGKILL"] ?? 0) * Self.maxInFlight * Self.partitions
        #expect(duplicates <= window, "duplicates beyond the in-flight window: \(summary)")

        replies.stop()
        for process in [poller, notifier, gateway] {
            process.signal(SIGTERM)
            _ = try await process.waitForExit(timeout: .seconds(20))
        }
        await capture.stop()
        await simulator.stop()
    }

    /// Sends replies to the gateway's flow route one after another, each retried with its `Client-Token` until the
    /// gateway answers 200 (it may be down, killed, or without Kafka for a moment).
    final class ReplySender: Sendable {
        let url: String
        private let queue: AsyncStream<(reply: (issue: String, text: String), token: String)>.Continuation
        private let state = Mutex((pending: 0, retries: 0))
        private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

        init(url: String) {
            self.url = url
            let (stream, continuation) = AsyncStream<(reply: (issue: String, text: String), token: String)>.makeStream()
            queue = continuation
            task.withLock {
                $0 = Task { [self] in for await item in stream { await self.send(item.reply, token: item.token) } }
            }
        }

        var pending: Int { state.withLock { $0.pending } }
        var retries: Int { state.withLock { $0.retries } }

        func enqueue(_ reply: (issue: String, text: String), token: String) {
            state.withLock { $0.pending += 1 }
            queue.yield((reply, token))
        }

        func stop() {
            queue.finish()
            task.withLock { $0 }?.cancel()
        }

        private func send(_ reply: (issue: String, text: String), token: String) async {
            let deadline = ContinuousClock.now + .seconds(90)
            while ContinuousClock.now < deadline, !Task.isCancelled {
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "Authorization", value: "Bearer soak")
                request.headers.add(name: "Client-Token", value: token)
                request.headers.add(name: "Content-Type", value: "application/json")
                let body = try! JSONEncoder().encode(["content": "#\(reply.issue)#\(reply.text)"])
                request.body = .bytes(ByteBuffer(bytes: body))
                if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)) {
                    _ = try? await response.body.collect(upTo: 1 << 16)
                    if response.status == .ok { break }
                }
                state.withLock { $0.retries += 1 }
                try? await Task.sleep(for: .milliseconds(300))
            }
            state.withLock { $0.pending -= 1 }
        }
    }

    static func deliveredIssues(_ capture: ChatCapture) -> [String] {
        capture.accepted(.webhook).compactMap { message in
            (try? EventCoding.decode(IssueEvent.self, from: message.body))?.issue.uuid
        }
    }

    static func publishedEventIDs(_ cluster: MockKafkaCluster) async throws -> [String] {
        let tail = KafkaPartitionReader(
            kafka: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers), logger: PollerCrashTests.quietLogger
        )
        var ids: [String] = []
        try await tail.read(
            (0..<Int32(partitions)).map { KafkaTopicPartition(topic: Topics.issueEvents, partition: $0) }
        ) {
            if let id = $0.header(EventHeaders.eventID) { ids.append(id) }
        }
        return ids
    }
}
