import DevStack
import Events
import Foundation
import KafkaClient
import Logging
import Testing

/// SIGTERM while a `notifier` process is busy, then a new process takes over: everything the first process's sink
/// accepted was committed on the way out, so the second delivers none of it again, and nothing is lost. The
/// background auto-commit is made rare, so the commit that matters is the one of the graceful stop.
@Suite("A notifier stopped mid-run commits what it delivered", .timeLimit(.minutes(3)))
struct NotifierGracefulStopTests {
    static let events = 120
    static let partitions = 6

    /// Single messages to a slow Feishu bot (every answer takes 150 ms): many sends are in flight at the SIGTERM.
    @Test func aSlowSinkStoppedMidRunGetsNothingTwice() async throws {
        try await Self.stopMidRunAndRestart(storm: false)
    }

    /// Storm digests to a generic webhook limited to 2 messages per second (its digests carry every event whole):
    /// digests are being paced and sent at the SIGTERM.
    @Test func stormDigestsSentAtTheStopAreNotSentAgain() async throws {
        try await Self.stopMidRunAndRestart(storm: true)
    }

    static func stopMidRunAndRestart(storm: Bool) async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createProductTopics(partitions: partitions)
        let routes = FileManager.default.temporaryDirectory.appendingPathComponent("routes-\(UUID().uuidString).yml")
        defer { try? FileManager.default.removeItem(at: routes) }
        try """
        sinks:
          hooks:
            type: webhook
            url_env: STOP_TEST_WEBHOOK_URL
            rate_limit: 2
        """.write(to: routes, atomically: true, encoding: .utf8)
        let platform: ChatCapture.Platform = storm ? .webhook : .feishu

        // One capture per process, so every delivery is attributable.
        var options = ChatCapture.Options(enforceRateLimits: false)
        options.latency = .milliseconds(storm ? 50 : 150)
        let first = ChatCapture(options: options)
        let second = ChatCapture(options: options)
        try await first.start()
        try await second.start()
        func environment(_ capture: ChatCapture) -> [String: String] {
            var env = [
                "KAFKA_BROKERS": cluster.bootstrapServers, "LOG_LEVEL": "info", "SHUTDOWN_GRACE_PERIOD": "10",
                "KAFKA_PROP_SESSION_TIMEOUT_MS": "3000", "KAFKA_PROP_HEARTBEAT_INTERVAL_MS": "500",
                // Only the commits of the graceful stop (and of rebalances) count.
                "KAFKA_PROP_AUTO_COMMIT_INTERVAL_MS": "600000", "NOTIFIER_MAX_IN_FLIGHT": "8",
            ]
            if storm {
                env["ROUTES_FILE"] = routes.path
                env["STOP_TEST_WEBHOOK_URL"] = capture.webhookURL
            } else {
                env["FEISHU_WEBHOOK_URL"] = capture.feishuURL
                env["FEISHU_WEBHOOK_RATE_LIMIT"] = "0"
            }
            return env
        }

        let settings = KafkaProducerSettings(client: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers))
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        try await withProducer(settings, logger: logger) { producer in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 1...events {
                    group.addTask {
                        let event = NotifierProcessTests.event(n)
                        _ = try await producer.send(
                            topic: Topics.issueEvents, key: event.issue.uuid, value: try EventCoding.encode(event))
                    }
                }
                try await group.waitForAll()
            }
        }

        let stopped = try ChildProcess("notifier", environment: environment(first))
        defer { if stopped.isRunning { stopped.signal(SIGKILL) } }
        try await eventually(timeout: .seconds(40), "first deliveries") {
            Self.ids(first.accepted(platform)).count >= (storm ? 10 : 20) || !stopped.isRunning
        }
        stopped.signal(SIGTERM)
        let status = try await stopped.waitForExit(timeout: .seconds(20))
        #expect(status == 0, "\(stopped.outputText.suffix(3000))")
        let deliveredFirst = Self.ids(first.accepted(platform))
        #expect(deliveredFirst.count < events, "the stop must land mid-run")
        if storm {
            #expect(first.accepted(platform).contains { $0.text.contains("guance.issue-digest/v1") }, "no digest sent")
        }

        let restarted = try ChildProcess("notifier", environment: environment(second))
        defer { if restarted.isRunning { restarted.signal(SIGKILL) } }
        try await eventually(timeout: .seconds(60), "the rest delivered after the restart") {
            deliveredFirst.union(Self.ids(second.accepted(platform))).count == events || !restarted.isRunning
        }
        let deliveredSecond = Self.ids(second.accepted(platform))
        let deliveredEither = deliveredFirst.union(deliveredSecond)
        #expect(deliveredEither.count == events, "lost: \(events - deliveredEither.count)")
        let again = deliveredFirst.intersection(deliveredSecond)
        #expect(
            again.isEmpty,
            """
            \(again.count) of the \(deliveredFirst.count) events the first process delivered were delivered again: \
            \(again.sorted().prefix(10)); first process: \(stopped.outputText.suffix(3000))
            """)
        print(
            "graceful stop (\(storm ? "storm digests" : "slow sink")): the stopped process delivered "
                + "\(deliveredFirst.count) events in \(first.accepted(platform).count) messages, the restarted one "
                + "\(deliveredSecond.count), \(again.count) again")
        // Each process delivered each event once (a digest counts for all of its events).
        for capture in [first, second] {
            let perMessage: [Set<String>] = capture.accepted(platform).map { Self.ids([$0]) }
            let total = perMessage.reduce(0) { $0 + $1.count }
            let distinct = perMessage.reduce(into: Set<String>()) { $0.formUnion($1) }.count
            #expect(total == distinct)
        }

        restarted.signal(SIGTERM)
        #expect(try await restarted.waitForExit(timeout: .seconds(20)) == 0, "\(restarted.outputText.suffix(2000))")
        await first.stop()
        await second.stop()
        withExtendedLifetime(cluster) {}
    }

    /// The issues the messages carry (a digest carries several; an event names its issue more than once).
    static func ids(_ messages: [ChatCapture.Message]) -> Set<String> {
        var ids: Set<String> = []
        for message in messages {
            let text = message.text
            var searchRange = text.startIndex..<text.endIndex
            while let range = text.range(of: #"issue_\d+\b"#, options: .regularExpression, range: searchRange) {
                ids.insert(String(text[range]))
                searchRange = range.upperBound..<text.endIndex
            }
        }
        return ids
    }
}
