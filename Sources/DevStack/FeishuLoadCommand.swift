import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Timing

/// `dev-stack feishu-load`: a load generator for the gateway's `/feishu/events` (scripts/bench-gateway.sh). Builds
/// `--requests` distinct, encrypted and signed `im.message.receive_v1` events up front, then sends them from
/// `--concurrency` workers and prints throughput, latency percentiles and status counts. `--baseline` sends
/// `GET /healthz` instead, the same-run reference for the HTTP stack alone. `--probes N` sends N health checks
/// (`/healthz` on the gateway, `/readyz` on `--metrics-url`, alternately) during the load, on their own connections;
/// the callbacks' percentiles then show what the probes cost them.
struct FeishuLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feishu-load", abstract: "Load /feishu/events of a running reply-gateway (benchmarks).")

    @Option(help: "Gateway base URL.") var url = "http://127.0.0.1:8080"
    @Option(help: "FEISHU_VERIFICATION_TOKEN of the gateway.") var token: String
    @Option(help: "FEISHU_ENCRYPT_KEY of the gateway.") var encryptKey: String
    @Option(help: "Issue uuid named in the messages.") var issue = "issue_bench"
    @Option(help: "Number of requests.") var requests = 5000
    @Option(help: "Concurrent connections.") var concurrency = 32
    @Flag(help: "Send GET /healthz instead (baseline).") var baseline = false
    @Flag(help: "Send card.action.trigger clicks (resolve on --issue) instead of messages.") var cardClicks = false
    @Option(help: "Health checks (/healthz and /readyz alternately) sent during the load.") var probes = 0
    @Option(help: "Base URL of the gateway's METRICS_PORT (for /readyz); default --url.") var metricsURL: String?

    func run() async throws {
        let prepared: [FeishuSignedRequest] =
            baseline
            ? []
            : (0..<requests).map { index in
                let eventID = "ev_bench_\(index)_\(UUID().uuidString.prefix(8))"
                let event =
                    cardClicks
                    ? FeishuEventFactory.cardActionEvent(
                        eventID: eventID, token: token, action: "resolve", issueUUID: issue,
                        messageID: "om_bench_card")
                    : FeishuEventFactory.messageEvent(
                        eventID: eventID, token: token, text: "@_user_1 #\(issue)#benchmark reply \(index)",
                        messageID: "om_bench_\(index)")
                return FeishuEventFactory.request(event, encryptKey: encryptKey)
            }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let next = LoadCounter()
        let (url, baseline, requests) = (self.url, self.baseline, self.requests)
        let probing = Task { [probes, metricsURL] in
            try await Self.probe(count: probes, gateway: url, metrics: metricsURL ?? url)
        }
        let started = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: [(Duration, Int)].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var mine: [(Duration, Int)] = []
                    while true {
                        let index = next.take()
                        guard index < requests else { return mine }
                        var request: HTTPClientRequest
                        if baseline {
                            request = HTTPClientRequest(url: url + "/healthz")
                        } else {
                            request = HTTPClientRequest(url: url + "/feishu/events")
                            request.method = .POST
                            for (name, value) in prepared[index].headers {
                                request.headers.add(name: name, value: value)
                            }
                            request.body = .bytes(ByteBuffer(bytes: prepared[index].body))
                        }
                        let sent = ContinuousClock.now
                        let status: Int
                        do {
                            let response = try await client.execute(request, timeout: .seconds(30))
                            _ = try await response.body.collect(upTo: 1 << 20)
                            status = Int(response.status.code)
                        } catch {
                            status = -1
                        }
                        mine.append((ContinuousClock.now - sent, status))
                    }
                }
            }
            var all: [(Duration, Int)] = []
            for try await part in group { all += part }
            return all
        }
        let elapsed = ContinuousClock.now - started
        let probeStatuses = try await probing.value
        try await client.shutdown()
        let latencies = results.map(\.0).sorted()
        func percentile(_ p: Double) -> String {
            guard !latencies.isEmpty else { return "-" }
            let value = latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
            return String(
                format: "%.2f ms", Double(value.components.attoseconds) / 1e15 + Double(value.components.seconds) * 1000
            )
        }
        let statuses = Dictionary(grouping: results.map(\.1), by: { $0 }).mapValues(\.count)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let ok = statuses[200] ?? 0
        let mode =
            baseline ? "baseline GET /healthz" : cardClicks ? "POST /feishu/events card clicks" : "POST /feishu/events"
        print("mode=\(mode) requests=\(requests) concurrency=\(concurrency)")
        print(String(format: "elapsed=%.2f s  accepted(200)/s=%.0f", seconds, Double(ok) / seconds))
        print("p50=\(percentile(0.50)) p90=\(percentile(0.90)) p99=\(percentile(0.99)) max=\(percentile(1.0))")
        print("statuses=\(statuses.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " "))")
        if probes > 0 {
            let text = probeStatuses.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ")
            print("probes=\(probes) (/healthz and /readyz, 8 connections) statuses=\(text)")
        }
    }

    /// `count` GETs of `/healthz` (gateway) and `/readyz` (metrics port), alternately, from 8 workers.
    private static func probe(count: Int, gateway: String, metrics: String) async throws -> [Int: Int] {
        guard count > 0 else { return [:] }
        let next = LoadCounter()
        return try await withThrowingTaskGroup(of: [Int: Int].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var statuses: [Int: Int] = [:]
                    while true {
                        let index = next.take()
                        guard index < count else { return statuses }
                        let url = index % 2 == 0 ? gateway + "/healthz" : metrics + "/readyz"
                        let status: Int
                        do {
                            let response = try await HTTPClient.shared.execute(
                                HTTPClientRequest(url: url), timeout: .seconds(30))
                            _ = try await response.body.collect(upTo: 1 << 16)
                            status = Int(response.status.code)
                        } catch {
                            status = -1
                        }
                        statuses[status, default: 0] += 1
                    }
                }
            }
            var all: [Int: Int] = [:]
            for try await part in group { all.merge(part, uniquingKeysWith: +) }
            return all
        }
    }
}

/// Hands out request indexes to the load workers.
final class LoadCounter: Sendable {
    private let value = Atomic<Int>(0)

    func take() -> Int { value.add(1, ordering: .relaxed).oldValue }
}
