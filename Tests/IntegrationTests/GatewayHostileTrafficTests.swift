import AsyncHTTPClient
import DevStack
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A real `reply-gateway` process (dev-stack's mock Kafka, Guance simulator and Feishu app fake) takes 1,000 hostile,
/// unauthenticated requests on every route, is still up, and then accepts a genuine signed, encrypted Feishu message
/// and writes its reply to the issue.
@Suite("Gateway process under hostile traffic", .timeLimit(.minutes(4)))
struct GatewayHostileTrafficTests {
    static let hostileRequests = 1000

    @Test func aGatewayThatTook1000HostileRequestsStillWritesAGenuineReply() async throws {
        let envFile = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).env")
        defer { try? FileManager.default.removeItem(at: envFile) }
        // dev-stack's own sample message goes to a port nobody listens on: this test sends the genuine one itself.
        let devStack = try ChildProcess(
            "dev-stack", arguments: ["--env-file", envFile.path, "--quiet-captures"],
            environment: ["GATEWAY_PORT": "\(try freePort())", "PATH": "/usr/bin:/bin"])
        defer { devStack.signal(SIGKILL) }
        try await eventually("dev-stack ready") { FileManager.default.fileExists(atPath: envFile.path) }
        var environment = try EndToEndTests.readEnvironment(envFile)
        let gatewayPort = try freePort()
        let metricsPort = try freePort()
        environment["GATEWAY_PORT"] = "\(gatewayPort)"
        environment["METRICS_PORT"] = "\(metricsPort)"
        environment["DINGTALK_APP_SECRET"] = "ding-hostile-test"
        environment["LOG_LEVEL"] = "error"
        let gateway = try ChildProcess("reply-gateway", environment: environment)
        defer { if gateway.isRunning { gateway.signal(SIGKILL) } }
        let base = "http://127.0.0.1:\(gatewayPort)"
        try await eventually(timeout: .seconds(60), "gateway ready") {
            (try? await EndToEndTests.status("http://127.0.0.1:\(metricsPort)/readyz")) == 200
        }

        let secrets = IngressSecrets(
            feishuVerificationToken: environment["FEISHU_VERIFICATION_TOKEN"]!,
            feishuEncryptKey: environment["FEISHU_ENCRYPT_KEY"]!, flowToken: environment["FLOW_TOKEN"]!,
            dingtalkAppSecret: environment["DINGTALK_APP_SECRET"]!)
        let seed = UInt64.random(in: 0...UInt64.max)
        var generator = HostileIngressRequests(seed: seed, secrets: secrets, maxBodyBytes: 64 << 10)
        // What an attacker without the secrets can send (signed-but-hostile content is the in-process fuzz test's
        // part: here each accepted one would spend the writer's Guance budget on a nonexistent issue).
        var requests: [HostileRequest] = []
        while requests.count < Self.hostileRequests {
            let request = generator.next()
            if !request.authenticated { requests.append(request) }
        }
        var answered: [Int: Int] = [:]
        var transportErrors = 0
        try await withThrowingTaskGroup(of: Int?.self) { group in
            for (index, request) in requests.enumerated() {
                if index >= 8, let status = try await group.next() {
                    if let status { answered[status, default: 0] += 1 } else { transportErrors += 1 }
                }
                group.addTask { try? await Self.send(request, to: base) }
            }
            for try await status in group {
                if let status { answered[status, default: 0] += 1 } else { transportErrors += 1 }
            }
        }
        print(
            "hostile traffic: seed=\(seed) answers=\(answered.sorted { $0.key < $1.key }) transport errors=\(transportErrors)"
        )
        #expect(gateway.isRunning, "\(gateway.outputText.suffix(3000))")
        for status in answered.keys {
            #expect(status == 200 || (400..<500).contains(status) || status == 503, "status \(status), seed \(seed)")
        }
        #expect(answered.values.reduce(0, +) > Self.hostileRequests / 2, "most requests must get an answer")

        // The genuine message, signed and encrypted as Feishu sends it.
        let created = try await EndToEndTests.post(
            "\(environment["GUANCE_OPENAPI_URL"]!)/__admin/issues", json: #"{"name":"after hostile traffic"}"#)
        let issueUUID = try #require(EndToEndTests.match(#""uuid"\s*:\s*"(issue_[0-9A-Za-z]+)""#, in: created))
        let sender = FeishuEventSender(
            url: base + "/feishu/events", verificationToken: secrets.feishuVerificationToken,
            encryptKey: secrets.feishuEncryptKey)
        let genuine = try await sender.sendMessage(text: "@_user_1 #\(issueUUID)#genuine reply after the storm")
        #expect(genuine.status == 200, "\(genuine.body)")
        // Read through the simulator's admin route: the OpenAPI with the key would spend the writer's rate limit.
        try await eventually(timeout: .seconds(60), "the genuine reply is written") {
            let replies = try await EndToEndTests.get(
                "\(environment["GUANCE_OPENAPI_URL"]!)/__admin/issues/\(issueUUID)/replies")
            return replies.contains("genuine reply after the storm")
        }
        #expect(gateway.isRunning)
        gateway.signal(SIGTERM)
        #expect(try await gateway.waitForExit(timeout: .seconds(15)) == 0)
    }

    /// The status, or nil when the connection failed (the gateway may close a connection it answered early).
    static func send(_ request: HostileRequest, to base: String) async throws -> Int? {
        var http = HTTPClientRequest(url: base + request.path)
        http.method = .POST
        for (name, value) in request.headers where name.lowercased() != "content-length" {
            http.headers.add(name: name, value: value)
        }
        http.body = .bytes(ByteBuffer(bytes: request.body))
        let response = try await HTTPClient.shared.execute(http, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }
}
