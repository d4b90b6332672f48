import AsyncHTTPClient
import DevStack
import Foundation
import Hummingbird
import NIOHTTP1
import Prometheus
import ServiceKit
import ServiceLifecycle
import Synchronization
import Testing

@testable import ReplyGateway

/// What the internet-facing port serves, and how it treats slow or stalled clients.
@Suite("Gateway connections: ports, readiness, slow clients", .timeLimit(.minutes(2)))
struct GatewayConnectionTests {
    @Test func readinessAndMetricsAreServedOnTheMetricsPortOnly() async throws {
        try await withGateway { gateway in
            #expect(try await gateway.get("/healthz") == 200)
            #expect(try await gateway.get("/readyz") == 404)
            #expect(try await gateway.get("/metrics") == 404)
            try await eventually("ready") { try await gateway.get("/readyz", metrics: true) == 200 }
            #expect(try await gateway.get("/metrics", metrics: true) == 200)
        }
    }

    /// A flood of `/readyz` must not become broker round trips (each one used to queue a metadata request ahead of
    /// the producer's delivery reports).
    @Test func readinessRequestsAnswerFromTheLastBackgroundCheck() async throws {
        let runs = Atomic<Int>(0)
        let health = HealthChecks()
        health.register("counted") {
            runs.add(1, ordering: .relaxed)
            return true
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = ObservabilityServer.make(
            port: 0, registry: PrometheusCollectorRegistry(), health: health, logger: gatewayTestLogger,
            onRunning: { continuation.yield($0) })
        let group = ServiceGroup(
            configuration: .init(
                services: [server, HealthRefresher(health: health, interval: .seconds(3600))], logger: gatewayTestLogger
            ))
        let task = Task { try await group.run() }
        var port = 0
        for await bound in ports {
            port = bound
            break
        }
        try await eventually("the first background check ran") { runs.load(ordering: .relaxed) == 1 }
        for _ in 0..<300 {
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/readyz"), timeout: .seconds(5))
            _ = try await response.body.collect(upTo: 1 << 16)
            #expect(response.status == .ok)
        }
        #expect(runs.load(ordering: .relaxed) == 1)
        health.fail("guance", reason: "invalid key")
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/readyz"), timeout: .seconds(5))
        #expect(String(buffer: try await response.body.collect(upTo: 1 << 16)).contains("guance: invalid key"))
        #expect(response.status == .serviceUnavailable)
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    @Test func aSenderTricklingItsBodyIsDisconnectedAtTheReadDeadline() async throws {
        try await withGateway(role: .ingress, readTimeout: .seconds(1), idleTimeout: .seconds(1)) { gateway in
            let connection = try RawHTTPConnection(port: gateway.port)
            let started = ContinuousClock.now
            #expect(
                await connection.send(
                    "POST /feishu/flow HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer \(GatewayHarness.flowToken)\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"))
            let trickle = Task {
                // One byte every 200 ms: never idle, never finished.
                while !Task.isCancelled, await connection.send(" ") {
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
            let outcome = await connection.readUntilClosed(timeout: .seconds(8))
            trickle.cancel()
            #expect(outcome.closed, "the connection stayed open")
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(gateway.replies().isEmpty)
        }
    }

    @Test func anIdleConnectionIsClosed() async throws {
        try await withGateway(role: .ingress, readTimeout: .seconds(1), idleTimeout: .seconds(1)) { gateway in
            let connection = try RawHTTPConnection(port: gateway.port)
            let started = ContinuousClock.now
            let outcome = await connection.readUntilClosed(timeout: .seconds(8))
            #expect(outcome.closed, "an idle connection stayed open")
            #expect(ContinuousClock.now - started < .seconds(5))
            // Half a request head and then silence: the same.
            let partial = try RawHTTPConnection(port: gateway.port)
            #expect(await partial.send("POST /feishu/flow HTTP/1.1\r\nHost: gat"))
            #expect(await partial.readUntilClosed(timeout: .seconds(8)).closed)
        }
    }

    /// A wrong bearer token is answered from the headers: the gateway does not wait for (or buffer) the body.
    @Test func headerOnlyChecksAnswerBeforeTheBodyArrives() async throws {
        try await withGateway(role: .ingress, readTimeout: .seconds(20)) { gateway in
            let connection = try RawHTTPConnection(port: gateway.port)
            let started = ContinuousClock.now
            #expect(
                await connection.send(
                    "POST /feishu/flow HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer wrong\r\n"
                        + "Content-Length: 1000000\r\n\r\n"))
            let head = await connection.readSome(timeout: .seconds(10))
            #expect(head.hasPrefix("HTTP/1.1 401"), "\(head)")
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }
}
