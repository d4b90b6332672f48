import DevStack
import Events
import Foundation
import KafkaClient
import Testing

@testable import Notifier

/// Storms through the whole notifier (mock cluster, real HTTP) into the chat captures, which enforce the platforms'
/// documented limits as sliding windows and answer 11232 / 130101 / 45009 beyond them.
@Suite("Storms reach the chat as a few digests, within the platforms' limits", .timeLimit(.minutes(2)))
struct StormDeliveryTests {
    /// 150 issues arriving as three polls five seconds apart (the poller's default interval): all of them in the
    /// chat within the time the issue allows, in at most 10 messages, without one rate-limit answer. The three
    /// platforms run side by side, each with its own cluster, notifier and capture: the storm is paced by the
    /// platforms' limits and the arrival pattern, not by the machine, and together they take as long as the slowest.
    @Test func aStormOf150OverThreePollsArrivesAsAFewDigests() async throws {
        let cases: [(ChatCapture.Platform, Duration)] = [
            (.feishu, .seconds(30)), (.dingtalk, .seconds(90)), (.wecom, .seconds(90)),
        ]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (platform, within) in cases {
                group.addTask { try await Self.storm(platform: platform, within: within) }
            }
            try await group.waitForAll()
        }
    }

    static func storm(platform: ChatCapture.Platform, within: Duration) async throws {
        let cluster = try NotifierServiceTests.cluster()
        let capture = ChatCapture(options: .init(feishuSecret: "fs", dingtalkSecret: "SECdt", enforceRateLimits: true))
        try await capture.start()
        let env: [String: String] =
            switch platform {
            case .feishu: ["FEISHU_WEBHOOK_URL": capture.feishuURL, "FEISHU_WEBHOOK_SECRET": "fs"]
            case .dingtalk: ["DINGTALK_WEBHOOK_URL": capture.dingtalkURL, "DINGTALK_SECRET": "SECdt"]
            default: ["WECOM_WEBHOOK_URL": capture.wecomURL]
            }
        let events = (1...150).map { makeEvent($0, level: $0 % 7 == 0 ? "critical" : "warning") }
        let elapsed = try await NotifierServiceTests.withNotifier(cluster, env: env) { producer in
            let started = ContinuousClock.now
            for poll in 0..<3 {
                if poll > 0 {
                    // The arrival pattern under test (one poll every 5 s), not a synchronisation.
                    try await Task.sleep(for: .seconds(5))
                }
                try await NotifierServiceTests.publish(producer, Array(events[(poll * 50)..<(poll * 50 + 50)]))
            }
            try await eventually(timeout: within + .seconds(10), "all 150 in the chat (\(platform))") {
                ChatCapture.accountedEvents(capture.accepted(platform)) >= 150
            }
            return ContinuousClock.now - started
        }
        let messages = capture.accepted(platform)
        #expect(elapsed <= within, "\(platform): the last issue arrived after \(elapsed)")
        #expect(ChatCapture.accountedEvents(messages) == 150, "\(platform)")
        #expect(messages.count <= 10, "\(platform): \(messages.count) messages")
        #expect(capture.rateLimited(platform) == 0, "\(platform)")
        #expect(capture.requests(platform).allSatisfy { $0.accepted }, "\(platform)")
        // Every issue is in the chat: by its own message or in a digest's count; the digests link to the list.
        #expect(
            messages.contains { $0.text.contains("storm digest") && $0.text.contains("All issues in Guance") },
            "\(platform)")
        await capture.stop()
    }

    /// DingTalk throttles a robot for 10 minutes once it exceeded 20 per minute (here another sender of the same
    /// robot did). Time compressed 60x in the capture and the sink alike: 20 per second, a 10 s penalty. With one
    /// attempt per event, any per-event back-off would park events in the DLQ; the paused sink delivers everything
    /// after the penalty, as a digest, and nothing reaches the DLQ.
    @Test func aDingTalkPenaltyPausesTheSinkAndNothingGoesToTheDLQ() async throws {
        let cluster = try NotifierServiceTests.cluster()
        var options = ChatCapture.Options(enforceRateLimits: true)
        options.minuteWindow = .seconds(1)
        options.dingtalkPenalty = .seconds(10)
        let capture = ChatCapture(options: options)
        try await capture.start()
        let env = ["DINGTALK_WEBHOOK_URL": capture.dingtalkURL, "NOTIFIER_MAX_ATTEMPTS": "1"]

        // Another sender exceeds the robot's limit: the capture starts its penalty.
        let http = WebhookHTTPClient()
        let outsider = HTTPSinkTransport(client: http)
        let note = SinkRequest(
            url: capture.dingtalkURL, headers: [("Content-Type", "application/json")],
            body: Array(#"{"msgtype":"text","text":{"content":"outsider"}}"#.utf8))
        for _ in 0..<21 { _ = try await outsider.send(note, timeout: .seconds(5)) }
        await http.shutdown()
        #expect(capture.rateLimited(.dingtalk) == 1)
        let penaltyStarted = ContinuousClock.now

        let events = (1...40).map { makeEvent($0, level: "critical") }
        try await NotifierServiceTests.withNotifier(
            cluster, env: env,
            configure: {
                $0.sinks[0].limits = [RateWindow(limit: 20, per: .seconds(1))]
                $0.sinks[0].rateLimitPause = .seconds(10)
            }
        ) { producer in
            try await NotifierServiceTests.publish(producer, events)
            try await eventually(timeout: .seconds(40), "all 40 delivered after the penalty") {
                ChatCapture.accountedEvents(Self.notifierMessages(capture)) >= 40
            }
        }
        let delivered = Self.notifierMessages(capture)
        #expect(ChatCapture.accountedEvents(delivered) == 40)
        #expect(ContinuousClock.now - penaltyStarted >= .seconds(10))
        // The sink paused at the first rate-limit answer instead of hammering the robot through the penalty.
        let limitedByUs = capture.requests(.dingtalk).filter { !$0.text.contains("outsider") && !$0.accepted }
        #expect((1...2).contains(limitedByUs.count), "\(limitedByUs.count) rate-limited posts of the notifier")
        #expect(delivered.contains { $0.text.contains("storm digest") })
        #expect(try await Self.deadLetterCount(cluster) == 0)
        await capture.stop()
    }

    static func notifierMessages(_ capture: ChatCapture) -> [ChatCapture.Message] {
        capture.accepted(.dingtalk).filter { !$0.text.contains("outsider") }
    }

    /// Records on the events' DLQ (high watermark of its one partition).
    static func deadLetterCount(_ cluster: MockKafkaCluster) async throws -> Int64 {
        let settings = KafkaConsumerSettings(
            client: NotifierServiceTests.kafka(cluster), groupID: "dlq-count-\(UUID().uuidString)",
            topics: [Topics.deadLetter(of: Topics.issueEvents)])
        let consumer = try KafkaConsumerClient(settings: settings, logger: testLogger)
        defer { Task { await consumer.close() } }
        return try await consumer.highWatermark(
            KafkaTopicPartition(topic: Topics.deadLetter(of: Topics.issueEvents), partition: 0))
    }
}
