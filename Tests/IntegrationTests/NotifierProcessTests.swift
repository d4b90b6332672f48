import AsyncHTTPClient
import DevStack
import Events
import Foundation
import KafkaClient
import Logging
import NIOCore
import Testing

/// Three `notifier` processes share the partitions of guance.issue-events; one is SIGKILLed mid-run.
@Suite("Notifier processes share the work and survive a SIGKILL", .timeLimit(.minutes(2)))
struct NotifierProcessTests {
    static let events = 500
    static let partitions = 6

    @Test func threeProcessesDeliverAll500AndAKillOnlyDuplicatesWhatWasInFlight() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createProductTopics(partitions: Self.partitions)
        var logger = Logger(label: "test")
        logger.logLevel = .warning

        // One capture per process, so every delivery is attributable; each answer takes 15 ms, so the run takes a
        // few seconds and the kill lands mid-run.
        var captures: [ChatCapture] = []
        for _ in 0..<3 {
            var options = ChatCapture.Options(enforceRateLimits: false)
            options.latency = .milliseconds(15)
            let capture = ChatCapture(options: options)
            try await capture.start()
            captures.append(capture)
        }
        func environment(_ capture: ChatCapture) -> [String: String] {
            [
                "KAFKA_BROKERS": cluster.bootstrapServers, "FEISHU_WEBHOOK_URL": capture.feishuURL,
                "FEISHU_WEBHOOK_RATE_LIMIT": "0", "LOG_LEVEL": "info",
                "KAFKA_PROP_SESSION_TIMEOUT_MS": "3000", "KAFKA_PROP_HEARTBEAT_INTERVAL_MS": "500",
                "KAFKA_PROP_AUTO_COMMIT_INTERVAL_MS": "200", "NOTIFIER_MAX_IN_FLIGHT": "20",
            ]
        }
        var processes: [ChildProcess] = []
        for (index, capture) in captures.enumerated() {
            var env = environment(capture)
            if index == 1 { env["METRICS_PORT"] = "0" }  // a survivor serves /metrics and /readyz
            processes.append(try ChildProcess("notifier", environment: env))
        }
        defer { for process in processes where process.isRunning { process.signal(SIGKILL) } }
        for process in processes {
            try await eventually(timeout: .seconds(20), "notifier started") {
                process.outputText.contains("notifier started") || !process.isRunning
            }
            #expect(process.isRunning, "\(process.outputText)")
        }

        // Revokes and assignments the processes logged so far (a join's rebalance can repeat in-flight work).
        func rebalanceLines() -> Int {
            processes.map { process in
                ["partitions revoked", "partitions assigned"].map {
                    process.outputText.components(separatedBy: $0).count - 1
                }.reduce(0, +)
            }.reduce(0, +)
        }
        var linesSeen = rebalanceLines()

        // Publish 500 events across the 6 partitions.
        let settings = KafkaProducerSettings(client: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers))
        try await withProducer(settings, logger: logger) { producer in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 1...Self.events {
                    group.addTask {
                        let event = Self.event(n)
                        _ = try await producer.send(
                            topic: Topics.issueEvents, key: event.issue.uuid, value: try EventCoding.encode(event))
                    }
                }
                try await group.waitForAll()
            }
        }

        // Let every process take part, then kill one mid-run. A member joining late rebalances the group while events
        // flow, which can repeat what was in flight then, just like the kill: note when each revoke or assignment
        // was seen.
        func delivered() -> Int { captures.map { $0.accepted(.feishu).count }.reduce(0, +) }
        var rebalancesSeen: [Date] = []
        func noteRebalances() {
            let lines = rebalanceLines()
            if lines != linesSeen {
                linesSeen = lines
                rebalancesSeen.append(Date())
            }
        }
        noteRebalances()  // one while the events were being published
        try await eventually(timeout: .seconds(30), "work shared") {
            noteRebalances()
            return captures.allSatisfy { !$0.accepted(.feishu).isEmpty } && delivered() >= 100
        }
        let victim = 0
        processes[victim].signal(SIGKILL)
        let killedAt = Date()
        _ = try await processes[victim].waitForExit(timeout: .seconds(5))
        let beforeKill = captures[victim].accepted(.feishu).count
        #expect(delivered() < Self.events, "the kill must land mid-run")

        try await eventually(timeout: .seconds(40), "all 500 delivered") {
            Set(captures.flatMap { Self.issueIDs($0.accepted(.feishu)) }).count == Self.events
        }

        let all = captures.flatMap { Self.issueIDs($0.accepted(.feishu)) }
        #expect(Set(all).count == Self.events)
        // Duplicates are bounded by what was in flight when the kill (and the rebalance it causes) or a join's
        // rebalance happened: an event delivered twice was first delivered at most 2 s before the kill (the victim's
        // uncommitted tail, or a survivor's delivery whose offset could not be stored because the rebalance revoked
        // its partition), or within 2 s of a revoke or assignment seen before the kill. Nothing delivered and
        // committed earlier is ever delivered again.
        func nearAJoin(_ at: Date) -> Bool { rebalancesSeen.contains { abs($0.timeIntervalSince(at)) < 2.0 } }
        func nearARebalance(_ at: Date) -> Bool { abs(killedAt.timeIntervalSince(at)) < 2.0 || nearAJoin(at) }
        let deliveries = captures.flatMap { capture in
            capture.accepted(.feishu).map { (id: Self.issueIDs([$0])[0], at: $0.receivedAt) }
        }
        let firstDelivery = Dictionary(deliveries.map { ($0.id, $0.at) }, uniquingKeysWith: min)
        let counts = Dictionary(deliveries.map { ($0.id, 1) }, uniquingKeysWith: +)
        let duplicatedIDs = counts.filter { $0.value > 1 }.map(\.key)
        let victimDeliveries = captures[victim].accepted(.feishu)
        for id in duplicatedIDs {
            let first = try #require(firstDelivery[id])
            #expect(
                killedAt.timeIntervalSince(first) < 2.0 || nearAJoin(first),
                """
                \(id) was first delivered \(killedAt.timeIntervalSince(first)) s before the kill, not near a join's \
                rebalance (seen at \(rebalancesSeen.map { killedAt.timeIntervalSince($0) }) s before the kill), yet \
                again later
                """)
        }
        let inFlightWindow = deliveries.filter { nearARebalance($0.at) }
        #expect(all.count - Self.events <= inFlightWindow.count)
        #expect(beforeKill == victimDeliveries.count, "nothing from the killed process after the kill")
        print(
            "notifier SIGKILL test: \(all.count) messages for \(Self.events) events, \(duplicatedIDs.count) duplicated")

        // The survivor's metrics count its deliveries; it reports ready.
        let output = processes[1].outputText
        let port = try #require(
            output.range(of: #"listening on 0\.0\.0\.0:(\d+)"#, options: .regularExpression)
                .map { output[$0].split(separator: ":").last.map(String.init) ?? "" })
        let metrics = try await Self.get("http://127.0.0.1:\(port)/metrics")
        let survivorDeliveries = captures[1].accepted(.feishu).count
        #expect(
            metrics.contains(#"notifier_deliveries_total{sink="feishu",outcome="delivered"} \#(survivorDeliveries)"#),
            "\(metrics)")
        #expect(metrics.contains("notifier_records_total"))
        #expect(try await Self.get("http://127.0.0.1:\(port)/readyz").contains("ready"))

        for process in processes[1...] { process.signal(SIGTERM) }
        for process in processes[1...] {
            #expect(try await process.waitForExit(timeout: .seconds(15)) == 0, "\(process.outputText)")
        }
        for capture in captures { await capture.stop() }
        withExtendedLifetime(cluster) {}
    }

    static func get(_ url: String) async throws -> String {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        return String(buffer: try await response.body.collect(upTo: 1 << 20))
    }

    static func event(_ n: Int) -> IssueEvent {
        IssueEvent(
            eventId: "evt-\(n)", kind: .created, occurredAt: "2026-11-30T10:00:00Z", workspaceUUID: "wksp_1",
            channel: .init(uuid: "chan_1", name: "default"),
            issue: .init(
                uuid: "issue_\(n)", name: "Issue \(n)", level: "warning", statusType: 10, resource: "/api/\(n)",
                resourceType: "service", description: "event \(n)", createAt: 1_764_496_800, updateAt: 1_764_496_800,
                creator: nil, url: "https://console.example/issue_\(n)"))
    }

    static func issueIDs(_ messages: [ChatCapture.Message]) -> [String] {
        messages.compactMap { message in
            let text = message.text
            guard let range = text.range(of: #"issue_\d+"#, options: .regularExpression) else { return nil }
            return String(text[range])
        }
    }
}
