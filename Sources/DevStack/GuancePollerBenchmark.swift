import ArgumentParser
import Foundation
import Logging
import Shared
import Synchronization

/// `dev-stack bench-poller`: measures the poller against the Guance simulator (with the real 20/min limit) and a
/// mock Kafka cluster: delay from an issue's creation in the simulator to its `issue.created` record on Kafka (the
/// record's producer timestamp), and OpenAPI calls per minute. Runs the given poller binary as a child process.
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
        let elapsedMinutes = Date().timeIntervalSince(start) / 60
        reader.cancel()
        await consumer.close()
        process.terminate()
        process.waitUntilExit()

        let seen = arrivals.withLock { $0 }
        let delays = created.compactMap { uuid, at in seen[uuid].map { Double($0 - at) / 1000 } }.sorted()
        let calls = simulator.calls(apiKey: simulator.apiKey).filter { $0.at >= startInstant }
        let limited = calls.filter { $0.status == 401 }.count
        func percentile(_ p: Double) -> Double {
            delays.isEmpty ? .nan : delays[min(delays.count - 1, Int((Double(delays.count) * p).rounded(.up)) - 1)]
        }
        let line = String(
            format: "interval=%@s issues=%d delivered=%d median=%.2fs p99=%.2fs max=%.2fs calls/min=%.1f "
                + "max-calls-in-60s=%d rate-limited=%d created-for=%.0fs",
            interval, created.count, delays.count, percentile(0.5), percentile(0.99), delays.last ?? .nan,
            Double(calls.count) / elapsedMinutes,
            simulator.maxCallsInAnyWindow(apiKey: simulator.apiKey, window: .seconds(60)), limited, createdFor)
        print(line)
        await simulator.stop()
        withExtendedLifetime(cluster) {}
    }
}
