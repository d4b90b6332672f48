import DevStack
import Events
import Foundation
import KafkaClient
import Logging
import ServiceKit
import Testing

@testable import Notifier

/// The notifier in-process against a per-test mock Kafka cluster and the DevStack chat captures (loopback sockets).
@Suite("Notifier service against the mock cluster and the chat captures", .timeLimit(.minutes(2)))
struct NotifierServiceTests {
    static func kafka(_ cluster: MockKafkaCluster) -> KafkaClientSettings {
        KafkaClientSettings(bootstrapServers: cluster.bootstrapServers)
    }

    /// Runs producer, consumer and notifier until `body` returns; `configure` adjusts what the environment cannot
    /// (compressed penalty windows).
    static func withNotifier<T: Sendable>(
        _ cluster: MockKafkaCluster, env: [String: String], configure: (inout NotifierConfig) -> Void = { _ in },
        _ body: (KafkaProducerClient) async throws -> T
    ) async throws -> T {
        try await withNotifierConsumer(cluster, env: env, configure: configure) { producer, _ in
            try await body(producer)
        }
    }

    /// `withNotifier`, also handing `body` the notifier's consumer (its assignment and pauses). Unless `inGroup`, the
    /// consumer reads all `partitions` of the events topic by assignment instead of joining group `notifier`: the
    /// mock cluster holds a group's first join for 3 s, and only the rebalance tests are about the group (they, the
    /// process tests and the consumer-group tests cover it).
    static func withNotifierConsumer<T: Sendable>(
        _ cluster: MockKafkaCluster, env: [String: String], inGroup: Bool = false, partitions: Int32 = 6,
        configure: (inout NotifierConfig) -> Void = { _ in },
        _ body: (KafkaProducerClient, KafkaConsumerClient) async throws -> T
    ) async throws -> T {
        var config = try NotifierConfig.load(ConfigSource(env), kafka: kafka(cluster))
        configure(&config)
        config.consumer.sessionTimeout = .seconds(3)
        config.consumer.commitInterval = .milliseconds(200)
        let producer = try KafkaProducerClient(
            settings: KafkaProducerSettings(client: kafka(cluster)), logger: testLogger)
        let consumer =
            inGroup
            ? try KafkaConsumerClient(settings: config.consumer, logger: testLogger)
            : try KafkaConsumerClient(
                settings: config.consumer,
                assignment: Dictionary(
                    uniqueKeysWithValues: (0..<partitions).map {
                        (
                            KafkaTopicPartition(topic: Topics.issueEvents, partition: $0),
                            KafkaConsumerClient.offsetBeginning
                        )
                    }), logger: testLogger)
        let http = WebhookHTTPClient()
        let service = NotifierService(
            config: config, consumer: consumer, deadLetters: producer, transport: HTTPSinkTransport(client: http),
            logger: testLogger)
        let tasks = [
            Task { try await producer.run() }, Task { try await consumer.run() }, Task { try await service.run() },
        ]
        do {
            let result = try await body(producer, consumer)
            for task in tasks.reversed() { task.cancel() }
            for task in tasks { _ = await task.result }
            await http.shutdown()
            return result
        } catch {
            for task in tasks.reversed() { task.cancel() }
            for task in tasks { _ = await task.result }
            await http.shutdown()
            throw error
        }
    }

    static func publish(_ producer: KafkaProducerClient, _ events: [IssueEvent]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for event in events {
                group.addTask {
                    _ = try await producer.send(
                        topic: Topics.issueEvents, key: event.issue.uuid, value: eventBytes(event),
                        headers: [KafkaHeader(key: EventHeaders.eventID, string: event.eventId)])
                }
            }
            try await group.waitForAll()
        }
    }

    /// Reads the DLQ from the beginning until `count` records arrived.
    static func deadLetters(_ cluster: MockKafkaCluster, count: Int) async throws -> [KafkaRecord] {
        // By assignment: a group's first join would cost the mock cluster's 3 s.
        let settings = KafkaConsumerSettings(
            client: kafka(cluster), groupID: "dlq-reader-\(UUID().uuidString)",
            topics: [Topics.deadLetter(of: Topics.issueEvents)])
        let consumer = try KafkaConsumerClient(
            settings: settings,
            assignment: [
                KafkaTopicPartition(topic: Topics.deadLetter(of: Topics.issueEvents), partition: 0):
                    KafkaConsumerClient.offsetBeginning
            ], logger: testLogger)
        defer { Task { await consumer.close() } }
        return try await withThrowingTaskGroup(of: [KafkaRecord].self) { group in
            group.addTask {
                var records: [KafkaRecord] = []
                for try await record in consumer.records {
                    records.append(record)
                    if records.count >= count { break }
                }
                return records
            }
            group.addTask {
                try await Task.sleep(for: .seconds(20))
                throw ConditionTimedOut(description: "expected \(count) DLQ records")
            }
            let records = try await group.next()!
            group.cancelAll()
            return records
        }
    }

    static func cluster() throws -> MockKafkaCluster {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createProductTopics(partitions: 6)
        return cluster
    }

    static func eventIDs(_ messages: [ChatCapture.Message]) -> [String] {
        messages.compactMap { message in
            let text = message.text
            guard let range = text.range(of: #"issue_\d+"#, options: .regularExpression) else { return nil }
            return String(text[range])
        }
    }

    // MARK: - Tests

    @Test func signedFeishuCardsAndEveryOtherSinkGetEachEventOnce() async throws {
        let cluster = try Self.cluster()
        let capture = ChatCapture(
            options: .init(
                feishuSecret: "fs", dingtalkSecret: "SECdt", webhookSecret: "wh",
                enforceRateLimits: false))
        try await capture.start()
        let env = [
            "FEISHU_WEBHOOK_URL": capture.feishuURL, "FEISHU_WEBHOOK_SECRET": "fs", "FEISHU_WEBHOOK_RATE_LIMIT": "0",
            "DINGTALK_WEBHOOK_URL": capture.dingtalkURL, "DINGTALK_SECRET": "SECdt", "DINGTALK_RATE_LIMIT": "0",
            "WECOM_WEBHOOK_URL": capture.wecomURL, "WECOM_RATE_LIMIT": "0",
            "FEISHU_FLOW_WEBHOOK_URL": capture.feishuFlowURL, "WEBHOOK_URL": capture.webhookURL, "WEBHOOK_SECRET": "wh",
        ]
        let events = (1...24).map { makeEvent($0) }
        try await Self.withNotifier(cluster, env: env) { producer in
            try await Self.publish(producer, events)
            try await eventually(timeout: .seconds(20), "all delivered") {
                ChatCapture.Platform.allCases.allSatisfy { capture.accepted($0).count >= 24 }
            }
        }
        for platform in ChatCapture.Platform.allCases {
            #expect(capture.requests(platform).allSatisfy { $0.accepted }, "\(platform) rejected something")
            #expect(Set(Self.eventIDs(capture.accepted(platform))).count == 24, "\(platform)")
            #expect(capture.accepted(platform).count == 24, "\(platform): no duplicates")
        }
        // The webhook got the record's bytes unchanged.
        let webhookBodies = Set(capture.accepted(.webhook).map(\.body))
        #expect(webhookBodies == Set(events.map(eventBytes)))
        await capture.stop()
    }

    @Test func retriesAndDeadLettersFollowTheFeishuAnswers() async throws {
        let cluster = try Self.cluster()
        let capture = ChatCapture(options: .init(enforceRateLimits: false))
        try await capture.start()
        let env = [
            "FEISHU_WEBHOOK_URL": capture.feishuURL, "FEISHU_WEBHOOK_RATE_LIMIT": "0", "NOTIFIER_RETRY_BACKOFF": "0.05",
        ]
        // Feishu's pause after a rate-limit answer (a minute) compressed.
        try await Self.withNotifier(cluster, env: env, configure: { $0.sinks[0].rateLimitPause = .milliseconds(300) }) {
            producer in
            // 500 twice, then 0: delivered once after three attempts.
            capture.inject(.feishu, [.http(500), .http(500)])
            try await Self.publish(producer, [makeEvent(1)])
            try await eventually(timeout: .seconds(10), "delivered after 500s") { capture.accepted(.feishu).count == 1 }
            #expect(capture.requests(.feishu).count == 3)

            // 19021: DLQ at once, with the reason.
            capture.inject(
                .feishu, [.code(19021, "sign match fail or timestamp is not within one hour from current time")])
            try await Self.publish(producer, [makeEvent(2)])
            let parked = try await Self.deadLetters(cluster, count: 1)
            #expect(capture.requests(.feishu).count == 4, "no retry of a bad signature")
            #expect(parked[0].header("dlq-reason")?.contains("19021") == true)
            #expect(parked[0].header("dlq-sink") == "feishu")
            #expect(parked[0].header("dlq-source-topic") == Topics.issueEvents)
            #expect(parked[0].value == eventBytes(makeEvent(2)))

            // 11232: pauses the sink, then delivers.
            capture.inject(.feishu, [.code(11232, "frequency limited")])
            try await Self.publish(producer, [makeEvent(3)])
            try await eventually(timeout: .seconds(10), "delivered after 11232") {
                capture.accepted(.feishu).count == 2
            }
            let attempts = capture.requests(.feishu).suffix(2)
            #expect(attempts.first?.code == 11232)
            #expect(attempts.last?.accepted == true)
        }
        await capture.stop()
    }

    @Test func badInputIsParkedWithItsReasonAndThePartitionKeepsMoving() async throws {
        let cluster = try Self.cluster()
        let capture = ChatCapture(options: .init(enforceRateLimits: false))
        try await capture.start()
        let env = ["WECOM_WEBHOOK_URL": capture.wecomURL, "WECOM_RATE_LIMIT": "0"]
        try await Self.withNotifier(cluster, env: env) { producer in
            // Same key: same partition, so the good event after the bad ones proves the partition moved on.
            for bad in [
                "{not json", #"{"schema":"guance.issue-event/v9","issue":{}}"#,
                #"{"schema":"guance.issue-event/v1","eventId":"x"}"#,
            ] {
                _ = try await producer.send(topic: Topics.issueEvents, key: "issue_1", value: Array(bad.utf8))
            }
            try await Self.publish(producer, [makeEvent(1)])
            try await eventually(timeout: .seconds(15), "good event delivered") { capture.accepted(.wecom).count == 1 }
            let parked = try await Self.deadLetters(cluster, count: 3)
            let reasons = parked.compactMap { $0.header("dlq-reason") }
            #expect(
                reasons == [
                    "value is not a JSON object",
                    "unsupported schema guance.issue-event/v9 (expected guance.issue-event/v1)", "missing issue",
                ])
            #expect(parked.allSatisfy { $0.header("dlq-sink") == nil })
            #expect(
                parked.map { $0.value ?? [] }
                    == [
                        "{not json", #"{"schema":"guance.issue-event/v9","issue":{}}"#,
                        #"{"schema":"guance.issue-event/v1","eventId":"x"}"#,
                    ].map { Array($0.utf8) })
        }
        await capture.stop()
    }

    @Test func criticalEventsGoToDingTalkAndEverythingToFeishu() async throws {
        let cluster = try Self.cluster()
        let capture = ChatCapture(options: .init(enforceRateLimits: false))
        try await capture.start()
        let routes = FileManager.default.temporaryDirectory.appendingPathComponent("routes-\(UUID().uuidString).yaml")
        try """
        routes:
          - match: {level: critical}
            sinks: [dingtalk]
          - sinks: [feishu]
        """.write(to: routes, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: routes) }
        let env = [
            "FEISHU_WEBHOOK_URL": capture.feishuURL, "DINGTALK_WEBHOOK_URL": capture.dingtalkURL,
            "FEISHU_WEBHOOK_RATE_LIMIT": "0", "DINGTALK_RATE_LIMIT": "0", "ROUTES_FILE": routes.path,
        ]
        try await Self.withNotifier(cluster, env: env) { producer in
            try await Self.publish(
                producer,
                [
                    makeEvent(1, level: "critical"), makeEvent(2, level: "warning"),
                    makeEvent(3, level: "system_level_0"),
                    makeEvent(4, level: "info"),
                ])
            try await eventually(timeout: .seconds(15), "routed") {
                capture.accepted(.feishu).count == 4 && capture.accepted(.dingtalk).count == 2
            }
        }
        #expect(Set(Self.eventIDs(capture.accepted(.dingtalk))) == ["issue_1", "issue_3"])
        #expect(Set(Self.eventIDs(capture.accepted(.feishu))) == ["issue_1", "issue_2", "issue_3", "issue_4"])
        await capture.stop()
    }

    @Test(arguments: [ChatCapture.Platform.dingtalk, .feishu])
    func aBurstOf300IsDeliveredWithinTheLimitsAsDigestsWithoutARejection(platform: ChatCapture.Platform) async throws {
        let cluster = try Self.cluster()
        let capture = ChatCapture(options: .init(feishuSecret: "fs", dingtalkSecret: "SECdt", enforceRateLimits: true))
        try await capture.start()
        // The platforms' documented defaults (DingTalk 20/min; Feishu 5/s and 100/min), enforced by the capture as
        // sliding windows.
        let env =
            platform == .dingtalk
            ? ["DINGTALK_WEBHOOK_URL": capture.dingtalkURL, "DINGTALK_SECRET": "SECdt"]
            : ["FEISHU_WEBHOOK_URL": capture.feishuURL, "FEISHU_WEBHOOK_SECRET": "fs"]
        let events = (1...300).map { makeEvent($0, level: $0 % 10 == 0 ? "critical" : "warning") }
        try await Self.withNotifier(cluster, env: env) { producer in
            try await Self.publish(producer, events)
            try await eventually(timeout: .seconds(60), "all 300 accounted for") {
                ChatCapture.accountedEvents(capture.accepted(platform)) >= 300
            }
        }
        #expect(capture.rateLimited(platform) == 0)
        #expect(capture.requests(platform).allSatisfy { $0.accepted })
        #expect(capture.accepted(platform).count <= (platform == .dingtalk ? 20 : 100))
        #expect(ChatCapture.accountedEvents(capture.accepted(platform)) == 300)
        #expect(capture.accepted(platform).contains { $0.text.contains("storm digest") })
        await capture.stop()
    }
}
