import ArgumentParser
import AsyncHTTPClient
import Events
import Foundation
import GuanceAPI
import KafkaClient
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// `dev-stack bench-poller`: measures the poller against the Guance simulator (with the real 20/min limit) and a
/// mock Kafka cluster: delay from an issue's creation in the simulator to its `issue.created` record on Kafka (the
/// record's producer timestamp), and OpenAPI calls per minute. Runs the given poller binary as a child process.
/// With `--push`, also runs the reply gateway (`--gateway`) with `GUANCE_WEBHOOK_TOKEN`, the simulator pushes every
/// change to its `/guance/webhook/default` route, and `--burst N` issues are created at once after the timed run.
struct GuancePollerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-poller", abstract: "Benchmark the poller: creation-to-Kafka delay and API calls/min.")

    @Option(help: "Path of the poller executable (release build).")
    var poller = ".build/release/poller"

    @Option(help: "GUANCE_POLL_INTERVAL for the poller, in seconds.")
    var interval = "5"

    @Option(help: "How long issues are created, in seconds.")
    var duration = 70

    @Option(help: "Mean seconds between two created issues (exponential gaps).")
    var gap = 2.0

    @Flag(help: "Guance pushes each change to the gateway's webhook route, which wakes the poller.")
    var push = false

    @Option(help: "Path of the reply-gateway executable (with --push).")
    var gateway = ".build/release/reply-gateway"

    @Option(help: "Issues created back to back after the timed run (each one a push with --push).")
    var burst = 0

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let cluster = try MockKafkaCluster(brokers: 1)
        try cluster.createProductTopics(partitions: 3)
        let simulator = GuanceSimulator()  // faithful limits: 20/min per key
        try await simulator.start()

        let process = Process()
        process.executableURL = URL(fileURLWithPath: poller)
        process.environment = [
            "KAFKA_BROKERS": cluster.bootstrapServers, "GUANCE_OPENAPI_URL": simulator.url,
            "GUANCE_API_KEY": simulator.apiKey, "GUANCE_POLL_INTERVAL": interval, "GUANCE_POLL_LOOKBACK": "5",
            "LOG_LEVEL": "warning",
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let pushing = push ? try await startPushing(simulator, kafka: cluster.bootstrapServers) : nil

        // Read issue.created records as they arrive.
        var settings = KafkaConsumerSettings(
            client: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers),
            groupID: "bench-\(UUID().uuidString.prefix(8))", topics: [Topics.issueEvents])
        settings.startFromEarliest = true
        let consumer = try KafkaConsumerClient(settings: settings, logger: logger)
        let arrivals = Mutex<[String: Int64]>([:])  // issue uuid -> record timestamp (ms)
        let reader = Task {
            for try await record in consumer.records {
                guard let value = record.value, let event = try? EventCoding.decode(IssueEvent.self, from: value),
                    event.kind == .created
                else { continue }
                let timestamp = record.timestampMilliseconds ?? Int64(Date().timeIntervalSince1970 * 1000)
                arrivals.withLock { $0[event.issue.uuid] = $0[event.issue.uuid] ?? timestamp }
            }
        }

        // Let the poller take its target over, then create issues at random moments.
        try await Task.sleep(for: .seconds(8))
        var created: [String: Int64] = [:]  // uuid -> creation time (ms)
        let start = Date()
        let startInstant = ContinuousClock.now
        while Date().timeIntervalSince(start) < Double(duration) {
            let issue = simulator.addIssue(.init(name: "bench \(created.count)"))
            created[issue.uuid] = Int64(Date().timeIntervalSince1970 * 1000)
            let wait = -log(Double.random(in: 0.0001...1)) * gap
            try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
        }
        let createdFor = Date().timeIntervalSince(start)
        let deadline = Date().addingTimeInterval(Double(interval)! * 3 + 90)
        while arrivals.withLock({ $0.count }) < created.count && Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        var burstCreated: [String: Int64] = [:]
        for index in 0..<burst {
            let issue = simulator.addIssue(.init(name: "burst \(index)"))
            burstCreated[issue.uuid] = Int64(Date().timeIntervalSince1970 * 1000)
        }
        let burstDeadline = Date().addingTimeInterval(Double(interval)! * 3 + 90)
        while arrivals.withLock({ seen in burstCreated.keys.contains { seen[$0] == nil } }) && Date() < burstDeadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        let elapsedMinutes = Date().timeIntervalSince(start) / 60
        reader.cancel()
        await consumer.close()
        process.terminate()
        process.waitUntilExit()
        pushing?.delivering.cancel()
        pushing?.gateway.terminate()
        pushing?.gateway.waitUntilExit()

        let seen = arrivals.withLock { $0 }
        let delays = created.compactMap { uuid, at in seen[uuid].map { Double($0 - at) / 1000 } }.sorted()
        let burstDelays = burstCreated.compactMap { uuid, at in seen[uuid].map { Double($0 - at) / 1000 } }.sorted()
        let calls = simulator.calls(apiKey: simulator.apiKey).filter { $0.at >= startInstant }
        let limited = calls.filter { $0.status == 401 }.count
        func percentile(_ p: Double) -> Double {
            delays.isEmpty ? .nan : delays[min(delays.count - 1, Int((Double(delays.count) * p).rounded(.up)) - 1)]
        }
        let line = String(
            format: "interval=%@s push=%@ issues=%d delivered=%d median=%.2fs p95=%.2fs p99=%.2fs max=%.2fs "
                + "calls/min=%.1f max-calls-in-60s=%d rate-limited=%d created-for=%.0fs burst=%d burst-delivered=%d "
                + "burst-max=%.2fs pushes-accepted=%d pushes-failed=%d",
            interval, push ? "yes" : "no", created.count, delays.count, percentile(0.5), percentile(0.95),
            percentile(0.99), delays.last ?? .nan,
            Double(calls.count) / elapsedMinutes,
            simulator.maxCallsInAnyWindow(apiKey: simulator.apiKey, window: .seconds(60)), limited, createdFor,
            burstCreated.count, burstDelays.count, burstDelays.last ?? 0, pushing?.pusher.delivered ?? 0,
            pushing?.pusher.failed ?? 0)
        print(line)
        await simulator.stop()
        withExtendedLifetime(cluster) {}
    }

    /// Starts the gateway (ingress only) with a webhook token and makes the simulator push to it.
    private func startPushing(
        _ simulator: GuanceSimulator, kafka: String
    ) async throws -> (gateway: Process, pusher: GuanceWebhookPusher, delivering: Task<Void, any Error>) {
        let port = try freePort()
        let token = GuanceSimulator.randomHex(32)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gateway)
        process.arguments = ["--role", "ingress"]
        process.environment = [
            "KAFKA_BROKERS": kafka, "GATEWAY_PORT": "\(port)", "METRICS_PORT": "\(try freePort())",
            "GUANCE_WEBHOOK_TOKEN": token, "FLOW_TOKEN": GuanceSimulator.randomHex(32), "LOG_LEVEL": "warning",
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try await eventually(timeout: .seconds(60), "gateway listening") {
            let response = try? await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(2))
            return response?.status == .ok
        }
        let pusher = simulator.pushChanges(to: "http://127.0.0.1:\(port)/guance/webhook/default", token: token)
        return (process, pusher, Task { try await pusher.run() })
    }
}
