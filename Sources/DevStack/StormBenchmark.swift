import ArgumentParser
import Events
import Foundation
import KafkaClient
import Logging

/// `dev-stack bench-storm`: a storm of `--issues` issue events arriving as three polls five seconds apart, delivered
/// by a `notifier` process to one chat capture that enforces the platform's documented limits. Prints the messages
/// the chat received, the time from the first poll to the message completing the storm, and the posts the capture
/// rejected (rate-limit answers included).
struct StormBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-storm", abstract: "Benchmark a storm: messages, time to the last issue, rejected posts.")

    @Option(help: "Issue events in the storm.") var issues = 150
    @Option(help: "feishu, dingtalk or wecom.") var platform = "feishu"
    @Option(help: "Path of the notifier executable (default: next to dev-stack).") var notifier: String?
    @Option(help: "Give up after this many seconds.") var timeout = 300

    func validate() throws {
        guard ["feishu", "dingtalk", "wecom"].contains(platform) else {
            throw ValidationError("--platform must be feishu, dingtalk or wecom")
        }
        guard issues >= 3 else { throw ValidationError("--issues must be at least 3") }
    }

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createProductTopics(partitions: 6)
        let capture = ChatCapture(options: .init(enforceRateLimits: true))
        try await capture.start()
        let target = ChatCapture.Platform(rawValue: platform)!
        let url =
            [ChatCapture.Platform.feishu: capture.feishuURL, .dingtalk: capture.dingtalkURL][target]
            ?? capture.wecomURL
        let variable = [ChatCapture.Platform.feishu: "FEISHU", .dingtalk: "DINGTALK"][target] ?? "WECOM"
        let process = try ChildProcess(
            notifier ?? "notifier",
            environment: [
                "KAFKA_BROKERS": cluster.bootstrapServers, "\(variable)_WEBHOOK_URL": url, "LOG_LEVEL": "info",
            ])
        defer { process.signal(SIGKILL) }
        // The storm starts once the notifier owns the partitions (a group join is not what is measured).
        try await eventually(timeout: .seconds(60), "notifier assigned its partitions") {
            process.outputText.contains("partitions assigned") || !process.isRunning
        }

        let settings = KafkaProducerSettings(client: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers))
        let polls = Self.polls(issues)
        let started = ContinuousClock.now
        try await withProducer(settings, logger: logger) { producer in
            for (index, range) in polls.enumerated() {
                if index > 0 { try await Task.sleep(for: .seconds(5)) }  // the poller's default interval
                let messages = try range.map { number in
                    let event = Self.event(number)
                    return KafkaProducerMessage(
                        topic: Topics.issueEvents, key: event.issue.uuid, value: try EventCoding.encode(event),
                        headers: [KafkaHeader(key: EventHeaders.eventID, string: event.eventId)])
                }
                for result in try await producer.send(messages) { _ = try result.get() }
            }
        }
        var finished: ContinuousClock.Instant?
        while ContinuousClock.now - started < .seconds(timeout) {
            if ChatCapture.accountedEvents(capture.accepted(target)) >= issues {
                finished = ContinuousClock.now
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let messages = capture.accepted(target)
        let rejected = capture.requests(target).count - messages.count
        let took =
            finished.map { instant -> String in
                let (seconds, attoseconds) = (instant - started).components
                return String(format: "%.1f s", Double(seconds) + Double(attoseconds) * 1e-18)
            } ?? "not within \(timeout) s"
        print(
            "platform=\(platform) issues=\(issues) delivered=\(ChatCapture.accountedEvents(messages)) messages=\(messages.count) "
                + "time-to-last-issue=\(took) rejected-posts=\(rejected) "
                + "rate-limit-answers=\(capture.rateLimited(target))")
        process.signal(SIGTERM)
        _ = try await process.waitForExit(timeout: .seconds(15))
        await capture.stop()
        withExtendedLifetime(cluster) {}
    }

    /// Three polls, the storm split as evenly as possible.
    static func polls(_ issues: Int) -> [Range<Int>] {
        let first = issues / 3 + (issues % 3 > 0 ? 1 : 0)
        let second = first + issues / 3 + (issues % 3 > 1 ? 1 : 0)
        return [1..<(first + 1), (first + 1)..<(second + 1), (second + 1)..<(issues + 1)]
    }

    static func event(_ number: Int) -> IssueEvent {
        let now = Int64(Date().timeIntervalSince1970)
        return IssueEvent(
            eventId: "bench-\(number)", kind: .created, occurredAt: ISO8601DateFormatter().string(from: Date()),
            workspaceUUID: "wksp_bench",
            channel: .init(uuid: "chan_bench", name: "bench"),
            issue: .init(
                uuid: "issue_bench_\(number)", name: "storm issue \(number)", level: number % 7 == 0 ? "0" : "2",
                statusType: 10, resource: "/api/orders", resourceType: "service", description: "storm benchmark",
                createAt: now, updateAt: now, creator: nil,
                url: "https://console.guance.example/keyevents/issues/issue_bench_\(number)"),
            reply: nil)
    }
}
