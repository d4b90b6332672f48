import DevStack
import Events
import Foundation
import GuanceAPI
import KafkaClient
import Logging
import Testing

@testable import Poller

/// A poller and a reply writer as processes on one API key, with the minute compressed to 6 s (the simulator
/// enforces 20 calls per 6 s and counts every call): the poller is SIGKILLed mid-poll and restarted at once, and
/// a burst of 20 chat replies arrives while it polls as fast as it may.
@Suite("One OpenAPI budget per key across processes and restarts", .timeLimit(.minutes(3)))
struct SharedBudgetProcessTests {
    static let window = Duration.seconds(6)
    static let claimWindow = GuanceBudgetSettings(window: window).claimWindow

    @Test func killedPollerAndBurstOfRepliesNeverExceedTheKeysLimit() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createProductTopics(partitions: 3)
        var options = GuanceSimulator.Options()
        options.keyRateLimit = 20
        options.workspaceRateLimit = nil
        options.rateLimitWindow = Self.window
        let simulator = GuanceSimulator(options: options)
        try await simulator.start()
        let issues = (0..<5).map { simulator.addIssue(.init(name: "incident \($0)")).uuid }
        let environment = [
            "KAFKA_BROKERS": cluster.bootstrapServers, "GUANCE_OPENAPI_URL": simulator.url,
            "GUANCE_API_KEY": simulator.apiKey, "GUANCE_RATE_WINDOW": "6", "GUANCE_POLL_INTERVAL": "0.3",
            "GUANCE_TRACK_WINDOW": "3600", "GUANCE_POLLER_SESSION_TIMEOUT": "3", "LOG_LEVEL": "info",
            "METRICS_PORT": "0",
        ]
        let writer = try ChildProcess("reply-gateway", arguments: ["--role", "writer"], environment: environment)
        var poller = try ChildProcess("poller", environment: environment)
        defer { for process in [writer, poller] where process.isRunning { process.signal(SIGKILL) } }

        // A busy poll: the poller lists as often as its share allows, people reply in the console meanwhile.
        let console = Task {
            var created = issues
            while !Task.isCancelled {
                created.append(simulator.addIssue(.init(name: "noise \(created.count)")).uuid)
                simulator.addReply(issueUUID: issues[created.count % issues.count], content: "console note")
                try? await Task.sleep(for: .milliseconds(400))
            }
            return created
        }
        defer { console.cancel() }
        try await eventually(timeout: .seconds(30), "the first poller lists") {
            simulator.calls(apiKey: simulator.apiKey).filter { $0.endpoint == "issue_list" }.count >= 5
        }
        poller.signal(SIGKILL)
        _ = try await poller.waitForExit(timeout: .seconds(10))
        let restartedAt = ContinuousClock.now
        poller = try ChildProcess("poller", environment: environment)
        try await eventually(timeout: .seconds(40), "the restarted poller lists again") {
            simulator.calls(apiKey: simulator.apiKey).filter { $0.endpoint == "issue_list" && $0.at > restartedAt }
                .count >= 3
        }

        // Twenty replies from the chat, at once, while the poller is busy.
        let burstAt = ContinuousClock.now
        try await withProducer(
            KafkaProducerSettings(client: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers)),
            logger: .init(label: "test")
        ) { producer in
            for index in 0..<20 {
                let command = ReplyCommand(
                    commandId: "burst-\(index)", issueUUID: issues[index % issues.count],
                    content: "burst reply \(index)",
                    requestedAt: EventCoding.rfc3339(Date()), origin: .init(platform: "feishu", eventId: "ev-\(index)"))
                _ = try await producer.send(
                    topic: Topics.replyCommands, key: command.issueUUID, value: try EventCoding.encode(command))
            }
        }
        func written() -> Int {
            issues.flatMap { simulator.replies(issueUUID: $0) }.filter { $0.content.hasPrefix("burst reply") }.count
        }
        try await eventually(timeout: .seconds(60), "every reply written") { written() == 20 }
        let doneAt = ContinuousClock.now
        console.cancel()
        let created = await console.value

        let calls = simulator.calls(apiKey: simulator.apiKey)
        let worst = simulator.maxCallsInAnyWindow(apiKey: simulator.apiKey, window: Self.window)
        print(
            """
            shared budget: \(calls.count) calls, at most \(worst) in any 6 s, \
            \(simulator.rateLimitedAnswers(apiKey: simulator.apiKey)) rate-limited, 20 replies in \(doneAt - burstAt)
            """)
        #expect(worst <= 20, "\(worst) calls in one 6-second window")
        #expect(simulator.rateLimitedAnswers(apiKey: simulator.apiKey) == 0)
        #expect(written() == 20, "each reply written once")
        // A reply costs at most 3 calls (issue, a check for an earlier write while the writer is new, create):
        // 60 calls at 20 per window is 3 windows. Behind listings (16 of every 20) it would take 15.
        #expect(doneAt - burstAt < Self.claimWindow * 4 + .seconds(2), "replies took \(doneAt - burstAt)")
        let listingsMeanwhile = calls.filter {
            $0.endpoint == "issue_list" && $0.at > burstAt + .seconds(1) && $0.at < doneAt
        }.count
        #expect(listingsMeanwhile <= 2, "\(listingsMeanwhile) listings while replies waited")

        // Polling yielded and lost nothing: every issue created meanwhile is announced once.
        try await eventually(timeout: .seconds(60), "every issue announced") {
            try await PollerCrashTests().events(cluster).filter { $0.kind == .created }.count >= created.count
        }
        let announced = try await PollerCrashTests().events(cluster).filter { $0.kind == .created }.map(\.issue.uuid)
        #expect(Set(announced) == Set(created))
        #expect(announced.count == created.count, "each issue announced once")

        // Metrics: calls per key per process and the budget's shares, labelled by the key's hash only.
        let hash = GuanceUsageRecord.keyHash(of: simulator.apiKey)
        for (process, service) in [(poller, "poller"), (writer, "reply_gateway")] {
            let port = try #require(EndToEndTests.match(#"listening on 0\.0\.0\.0:(\d+)"#, in: process.outputText))
            let text = try await EndToEndTests.get("http://127.0.0.1:\(port)/metrics")
            #expect(!text.contains(simulator.apiKey), "the API key is never a label")
            #expect(text.contains("guance_chatops_\(service)_guance_budget_calls_total{"), "\(service)")
            #expect(text.contains("key=\"\(hash)\""))
            #expect(text.contains("guance_chatops_\(service)_guance_budget_window_calls{"))
            #expect(text.contains("guance_chatops_\(service)_guance_budget_wait_seconds"))
        }
        for process in [writer, poller] {
            process.signal(SIGTERM)
            #expect(try await process.waitForExit(timeout: .seconds(15)) == 0, "\(process.outputText.suffix(1500))")
        }
        await simulator.stop()
    }
}
