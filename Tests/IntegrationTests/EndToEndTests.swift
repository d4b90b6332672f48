import AsyncHTTPClient
import DevStack
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Every process as the compose file runs them, on loopback with dev-stack's mock cluster and simulators: issues
/// created in the Guance simulator reach the Feishu capture, a signed and encrypted Feishu reply lands on the issue
/// and is confirmed in the thread, `/metrics` parses, and SIGTERM stops each service with code 0 with its offsets
/// stored (a restarted notifier delivers nothing again, and still delivers what is new).
@Suite("End to end: dev-stack and the three services as processes", .timeLimit(.minutes(4)))
struct EndToEndTests {
    static let sampleTitles = [
        "checkout-service p99 latency above 2 s", "disk usage 91% on db-01", "error rate of login > 5%",
    ]

    @Test func issuesReachTheChatAndARepliesTravelsBack() async throws {
        let gatewayPort = try freePort()
        let envFile = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString).env")
        defer { try? FileManager.default.removeItem(at: envFile) }
        let devStack = try ChildProcess(
            "dev-stack", arguments: ["--env-file", envFile.path],
            environment: ["GATEWAY_PORT": "\(gatewayPort)", "PATH": "/usr/bin:/bin"])
        defer { devStack.signal(SIGKILL) }
        try await eventually("dev-stack ready") { FileManager.default.fileExists(atPath: envFile.path) }
        var environment = try Self.readEnvironment(envFile)
        environment["GUANCE_POLL_INTERVAL"] = "1"
        environment["SHUTDOWN_GRACE_PERIOD"] = "10"

        let poller = try ChildProcess("poller", environment: environment.merging(["METRICS_PORT": "0"]) { $1 })
        var notifier = try ChildProcess("notifier", environment: environment.merging(["METRICS_PORT": "0"]) { $1 })
        let gatewayMetricsPort = try freePort()
        let gateway = try ChildProcess(
            "reply-gateway",
            environment: environment.merging(
                ["GATEWAY_PORT": "\(gatewayPort)", "METRICS_PORT": "\(gatewayMetricsPort)"]) { $1 })
        defer { for process in [poller, notifier, gateway] where process.isRunning { process.signal(SIGKILL) } }

        // 1. Every sample issue is delivered to the Feishu capture (dev-stack prints what its captures accept).
        try await eventually(timeout: .seconds(90), "sample issues in the Feishu capture") {
            Self.sampleTitles.allSatisfy { devStack.outputText.contains($0) }
        }
        // 2. dev-stack's signed, encrypted Feishu message became a reply on the issue and a confirmation in the thread.
        try await eventually(timeout: .seconds(90), "confirmation in the Feishu thread") {
            devStack.outputText.contains("confirmation answered in the Feishu thread")
        }
        let issueUUID = try #require(Self.match(#"issue=(issue_[0-9a-zA-Z]+)"#, in: devStack.outputText))
        let replies = try await Self.get(
            "\(environment["GUANCE_OPENAPI_URL"]!)/api/v1/issue/reply/\(issueUUID)/list",
            headers: ["DF-API-KEY": environment["GUANCE_API_KEY"]!])
        #expect(replies.contains("收到，正在处理"))
        #expect(replies.contains("guance-chatops"))

        // 3. /metrics of each service parses and uses the product's names.
        for (process, service) in [(poller, "poller"), (notifier, "notifier")] {
            let port = try #require(Self.match(#"listening on 0\.0\.0\.0:(\d+)"#, in: process.outputText))
            let samples = try PrometheusTextFormat.parse(try await Self.get("http://127.0.0.1:\(port)/metrics"))
            #expect(!samples.isEmpty)
            #expect(samples.allSatisfy { $0.name.hasPrefix("guance_chatops_\(service)_") })
        }
        let gatewayMetrics = try PrometheusTextFormat.parse(
            try await Self.get("http://127.0.0.1:\(gatewayMetricsPort)/metrics"))
        #expect(gatewayMetrics.contains { $0.name.hasPrefix("guance_chatops_reply_gateway_") })
        // The internet-facing port answers only /healthz and the callbacks; readiness and metrics live on METRICS_PORT.
        for path in ["/metrics", "/readyz"] {
            #expect(try await Self.status("http://127.0.0.1:\(gatewayPort)\(path)") == 404, "\(path)")
        }
        #expect(try await Self.status("http://127.0.0.1:\(gatewayPort)/healthz") == 200)
        #expect(try await Self.status("http://127.0.0.1:\(gatewayMetricsPort)/readyz") == 200)

        // 4. SIGTERM: each service exits 0 within the grace period.
        for process in [notifier, poller, gateway] {
            process.signal(SIGTERM)
            let status = try await process.waitForExit(timeout: .seconds(15))
            #expect(
                status == 0, "\(process.name) exited \(String(describing: status)): \(process.outputText.suffix(2000))")
        }
        // Counted once the notifier is gone: what it delivered while stopping is its own delivery, not a repeat (the
        // capture prints a message before answering it, and the notifier waits for the answers before it exits).
        let deliveredBefore = Self.sampleTitles.map { Self.count($0, in: devStack.outputText) }

        // 5. A restarted notifier redelivers nothing it had committed, and still delivers a new issue.
        notifier = try ChildProcess("notifier", environment: environment)
        let newTitle = "after-restart issue \(UUID().uuidString.prefix(8))"
        let restartedPoller = try ChildProcess("poller", environment: environment)
        defer { for process in [notifier, restartedPoller] where process.isRunning { process.signal(SIGKILL) } }
        _ = try await Self.post(
            "\(environment["GUANCE_OPENAPI_URL"]!)/__admin/issues", json: #"{"name":"\#(newTitle)"}"#)
        try await eventually(timeout: .seconds(60), "the new issue delivered after the restart") {
            devStack.outputText.contains(newTitle)
        }
        #expect(Self.sampleTitles.map { Self.count($0, in: devStack.outputText) } == deliveredBefore)
        for process in [notifier, restartedPoller] {
            process.signal(SIGTERM)
            #expect(try await process.waitForExit(timeout: .seconds(15)) == 0)
        }
    }

    // MARK: - Helpers

    static func readEnvironment(_ file: URL) throws -> [String: String] {
        var environment: [String: String] = ["PATH": "/usr/bin:/bin"]
        for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            environment[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return environment
    }

    static func match(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let found = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let range = Range(found.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }

    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    static func get(_ url: String, headers: [String: String] = [:]) async throws -> String {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        return String(buffer: try await response.body.collect(upTo: 1 << 22))
    }

    static func status(_ url: String) async throws -> Int {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        _ = try await response.body.collect(upTo: 1 << 22)
        return Int(response.status.code)
    }

    static func post(_ url: String, json: String) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        return String(buffer: try await response.body.collect(upTo: 1 << 20))
    }
}
