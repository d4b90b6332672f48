import AsyncHTTPClient
import DevStack
import Foundation
import GuanceAPI
import NIOCore
import Testing

/// Two real `reply-gateway` processes in `FEISHU_EVENT_MODE=websocket` against dev-stack's Feishu fakes. Feishu's
/// HTTP callbacks point at a port nobody listens on: events reach the gateways only over their long connections.
/// The Guance simulator runs in the test without rate limits (hundreds of replies).
@Suite("Feishu long connection, real processes", .timeLimit(.minutes(5)))
struct LongConnectionProcessTests {
    @Test func eventsOverTheLongConnectionAreWrittenOnceAcrossDropsDuplicatesAndTwoInstances() async throws {
        var options = GuanceSimulator.Options()
        options.keyRateLimit = nil
        options.workspaceRateLimit = nil
        let guance = GuanceSimulator(options: options)
        try await guance.start()
        defer { Task { await guance.stop() } }
        let issue = guance.addIssue(GuanceSimulator.IssueDraft(name: "long connection issue"))

        let envFile = FileManager.default.temporaryDirectory.appendingPathComponent("ws-\(UUID().uuidString).env")
        defer { try? FileManager.default.removeItem(at: envFile) }
        let devStack = try ChildProcess(
            "dev-stack", arguments: ["--env-file", envFile.path, "--quiet-captures", "--no-guance-simulator"],
            environment: [
                "GATEWAY_PORT": "\(try freePort())", "FEISHU_EVENT_MODE": "websocket", "PATH": "/usr/bin:/bin",
            ])
        defer { devStack.signal(SIGKILL) }
        try await eventually("dev-stack ready") { FileManager.default.fileExists(atPath: envFile.path) }
        var environment = try EndToEndTests.readEnvironment(envFile)
        let feishu = try #require(environment["FEISHU_OPENAPI_URL"])
        environment["FEISHU_EVENT_MODE"] = "websocket"
        environment["GUANCE_OPENAPI_URL"] = guance.url
        environment["GUANCE_API_KEY"] = guance.apiKey
        environment["GUANCE_RATE_LIMIT"] = "0"
        environment["LOG_LEVEL"] = "error"
        var gateways: [ChildProcess] = []
        defer { for gateway in gateways where gateway.isRunning { gateway.signal(SIGKILL) } }
        var readiness: [String] = []
        var metrics: [String] = []
        for _ in 0..<2 {
            var own = environment
            let metricsPort = try freePort()
            own["GATEWAY_PORT"] = "\(try freePort())"
            own["METRICS_PORT"] = "\(metricsPort)"
            gateways.append(try ChildProcess("reply-gateway", environment: own))
            readiness.append("http://127.0.0.1:\(metricsPort)/readyz")
            metrics.append("http://127.0.0.1:\(metricsPort)/metrics")
        }
        // Ready means connected: the long connection is one of the readiness checks.
        try await eventually(timeout: .seconds(60), "both gateways connected and ready") {
            for url in readiness where (try? await EndToEndTests.status(url)) != 200 { return false }
            return true
        }

        let repliesURL = "\(guance.url)/__admin/issues/\(issue.uuid)/replies"
        func send(_ json: String) async throws -> [String: Any] { try await Self.send(json, to: feishu) }
        func written() async throws -> [String] { try await Self.written(repliesURL) }
        let mention = "@_user_1 #\(issue.uuid)#"

        // One message: one reply.
        let first = try await send(#"{"text":"\#(mention)ws first","eventID":"ev_first"}"#)
        #expect(first["code"] as? Int == 200, "\(first)")
        try await eventually(timeout: .seconds(30), "the first reply") { try await written() == ["ws first"] }

        // Dropped mid-event, re-sent after the reconnect; then an answered event re-sent after a reconnect.
        let dropped = try await send(#"{"text":"\#(mention)ws dropped","eventID":"ev_dropped","dropMidEvent":true}"#)
        #expect(dropped["code"] as? Int == 200 && (dropped["attempts"] as? Int ?? 0) >= 2, "\(dropped)")
        let twice = try await send(#"{"text":"\#(mention)ws twice","eventID":"ev_twice","againAfterReconnect":true}"#)
        #expect(twice["code"] as? Int == 200 && twice["againCode"] as? Int == 200, "\(twice)")

        // A card click: answered with the toast once the IssueAction is on Kafka.
        let click = try await send(#"{"cardAction":"resolve","issueUUID":"\#(issue.uuid)","eventID":"ev_click"}"#)
        #expect(click["code"] as? Int == 200, "\(click)")
        #expect((click["data"] as? String)?.contains("toast") == true, "\(click)")
        // ...and the writer applies it: the issue is resolved with exactly one modify call, also after the same click
        // is delivered again over the other connection.
        func modifies() -> Int { guance.calls().filter { $0.endpoint == "issue_modify" && $0.status == 200 }.count }
        try await eventually(timeout: .seconds(30), "the click resolved the issue") {
            guance.issue(uuid: issue.uuid)?.statusType == 20
        }
        let again = try await send(#"{"cardAction":"resolve","issueUUID":"\#(issue.uuid)","eventID":"ev_click"}"#)
        #expect(again["code"] as? Int == 200, "\(again)")

        // 200 events over both connections.
        let count = 200
        var connections: [Int: Int] = [:]
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<count {
                if index >= 16, let done = try await group.next() { connections[done, default: 0] += 1 }
                group.addTask {
                    let answer = try await Self.send(
                        #"{"text":"\#(mention)ws event \#(index)","eventID":"ev_\#(index)"}"#, to: feishu)
                    return answer["code"] as? Int == 200 ? answer["connection"] as? Int ?? -1 : -1
                }
            }
            for try await done in group { connections[done, default: 0] += 1 }
        }
        #expect(connections[-1] == nil, "events not answered 200: \(connections)")
        #expect(connections.count >= 2, "\(connections)")
        try await eventually(timeout: .seconds(90), "every event written") { try await written().count >= count + 3 }
        let contents = try await written()
        #expect(contents.count == count + 3)
        #expect(Set(contents).count == contents.count, "a reply was written twice")
        #expect(modifies() == 1, "the repeated click was applied again")
        // Connected, and the events counted under the HTTP route's metric with transport="websocket".
        for url in metrics {
            let text = try await EndToEndTests.get(url)
            #expect(EndToEndTests.match(#"reply_gateway_feishu_connection_state(?:\{[^}]*\})? (2)"#, in: text) != nil)
            #expect(text.contains(#"transport="websocket""#))
        }
        #expect(gateways.allSatisfy { $0.isRunning })
        for gateway in gateways { gateway.signal(SIGTERM) }
        for gateway in gateways {
            #expect(try await gateway.waitForExit(timeout: .seconds(15)) == 0, "\(gateway.outputText.suffix(2000))")
        }
    }

    /// Delivers over the fake's long connection (`POST /admin/long-connection/send`); its JSON answer.
    static func send(_ json: String, to feishu: String) async throws -> [String: Any] {
        let answer = try await EndToEndTests.post(feishu + "/admin/long-connection/send", json: json)
        return (try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any]) ?? ["raw": answer]
    }

    /// The contents of this test's replies ("ws …") on the issue, read through the simulator's admin route.
    static func written(_ url: String) async throws -> [String] {
        let text = try await EndToEndTests.get(url)
        let replies = (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]) ?? []
        return replies.compactMap { $0["content"] as? String }.filter { $0.hasPrefix("ws ") }
    }
}
