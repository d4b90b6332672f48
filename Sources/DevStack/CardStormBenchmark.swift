import ArgumentParser
import Events
import Foundation
import KafkaClient
import Logging
import ServiceLifecycle

/// `dev-stack bench-cards`: a storm for the notifier's Feishu app sink. `--issues` new issues and, right behind them,
/// `--updates` status changes of each, all on Kafka at once, delivered by a `notifier` process to the Feishu app fake,
/// which refuses (code 230020) every call beyond 5 per second per chat or per message. Prints the calls Feishu
/// accepted and refused, the time until every card shows its last change, and the shortest time the limits allow for
/// the same calls (posts at 5/s per chat; the updates of a card at 5/s each, all cards in parallel).
struct CardStormBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-cards", abstract: "Benchmark the Feishu app sink under a storm: limits kept, time taken.")

    @Option(help: "New issues (one card each).") var issues = 50
    @Option(help: "Status changes of each issue after its creation (card updates).") var updates = 10
    @Option(help: "Path of the notifier executable (default: next to dev-stack).") var notifier: String?
    @Option(help: "Give up after this many seconds.") var timeout = 300

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createProductTopics(partitions: 6)
        let fake = FeishuAppSimulator(appSecret: "bench-secret")
        let (ports, bound) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(
            configuration: .init(services: [fake.application(logger: logger) { bound.yield($0) }], logger: logger))
        let server = Task { try await group.run() }
        defer { server.cancel() }
        var port = 0
        for await value in ports {
            port = value
            break
        }
        let chat = "oc_bench"
        let process = try ChildProcess(
            notifier ?? "notifier",
            environment: [
                "KAFKA_BROKERS": cluster.bootstrapServers, "LOG_LEVEL": "info", "FEISHU_CHAT_ID": chat,
                "FEISHU_APP_ID": fake.appID, "FEISHU_APP_SECRET": "bench-secret",
                "FEISHU_OPENAPI_URL": "http://127.0.0.1:\(port)",
            ])
        defer { process.signal(SIGKILL) }
        // The storm starts once the notifier owns the partitions (a group join is not what is measured).
        try await eventually(timeout: .seconds(60), "notifier assigned its partitions") {
            process.outputText.contains("partitions assigned") || !process.isRunning
        }

        let settings = KafkaProducerSettings(client: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers))
        let started = ContinuousClock.now
        try await withProducer(settings, logger: logger) { producer in
            var messages: [KafkaProducerMessage] = []
            for round in 0...updates {
                for number in 1...issues {
                    let event = Self.event(number, round: round)
                    messages.append(
                        KafkaProducerMessage(
                            topic: Topics.issueEvents, key: event.issue.uuid, value: try EventCoding.encode(event),
                            headers: [KafkaHeader(key: EventHeaders.eventID, string: event.eventId)]))
                }
            }
            for result in try await producer.send(messages) { _ = try result.get() }
        }
        var finished: ContinuousClock.Instant?
        while ContinuousClock.now - started < .seconds(timeout) {
            let cards = fake.chats.messages(chat: chat).filter { $0.rootID == nil }
            if cards.count >= issues, cards.allSatisfy({ $0.patches.count >= updates }) {
                finished = ContinuousClock.now
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let cards = fake.chats.messages(chat: chat).filter { $0.rootID == nil }
        let refused = fake.chats.rejectionsByCode
        // Posts at 5/s per chat; a card's updates at 5/s, cards in parallel, each after its card was posted.
        let floor = Double(issues) / 5 + Double(updates) / 5
        let took = finished.map { Self.seconds($0 - started) }
        print(
            "issues=\(issues) updates-per-issue=\(updates) cards=\(cards.count) "
                + "updates=\(cards.map(\.patches.count).reduce(0, +)) refused=\(refused.values.reduce(0, +)) "
                + "refused-by-code=\(refused) "
                + "time=\(took.map { String(format: "%.1f s", $0) } ?? "not within \(timeout) s") "
                + "limit-floor=\(String(format: "%.1f s", floor)) "
                + "ratio=\(took.map { String(format: "%.2f", $0 / floor) } ?? "-")")
        process.signal(SIGTERM)
        _ = try await process.waitForExit(timeout: .seconds(15))
        withExtendedLifetime(cluster) {}
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }

    /// Round 0 creates the issue; each later round changes its status (working and pending in turn).
    static func event(_ number: Int, round: Int) -> IssueEvent {
        let now = Int64(Date().timeIntervalSince1970)
        return IssueEvent(
            eventId: "cards-\(number)-\(round)", kind: round == 0 ? .created : .updated,
            occurredAt: ISO8601DateFormatter().string(from: Date()), workspaceUUID: "wksp_bench",
            channel: .init(uuid: "chan_bench", name: "bench"),
            issue: .init(
                uuid: "issue_cards_\(number)", name: "card storm issue \(number)", level: "2",
                statusType: round == 0 ? 10 : (round % 2 == 1 ? 15 : 30), resource: "/api/orders",
                resourceType: "service", description: "card storm benchmark", createAt: now,
                updateAt: now + Int64(round),
                creator: nil, url: "https://console.guance.example/keyevents/issues/issue_cards_\(number)"),
            reply: nil)
    }
}
