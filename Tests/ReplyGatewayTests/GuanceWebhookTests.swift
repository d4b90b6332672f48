import DevStack
import Events
import Foundation
import GuanceAPI
import HTTPTypes
import KafkaClient
import ServiceKit
import Synchronization
import Testing

@testable import ReplyGateway

@Suite("Guance webhook wake-ups", .serialized, .timeLimit(.minutes(2)))
struct GuanceWebhookTests {
    let publisher = RecordingTriggerPublisher()

    var handler: GuanceWebhookHandler {
        var handler = GuanceWebhookHandler(
            token: "push-secret", targets: ["default", "prod"], publisher: publisher, logger: gatewayTestLogger)
        handler.now = { Date(timeIntervalSince1970: 1_700_000_000) }
        return handler
    }

    @Test func theTokenAndAKnownTargetAreCheckedAndThenOneTriggerIsPublished() async throws {
        #expect(throws: IngressRejection.unauthorized("Authorization header missing")) {
            try handler.checkHeaders([:])
        }
        #expect(throws: IngressRejection.unauthorized("wrong bearer token")) {
            try handler.checkHeaders(httpFields(["Authorization": "Bearer push-secreT"]))
        }
        #expect(throws: IngressRejection.unauthorized("wrong bearer token")) {
            try handler.checkHeaders(httpFields(["Authorization": "push-secret"]))
        }
        try handler.checkHeaders(httpFields(["Authorization": "Bearer push-secret"]))
        for hostile in [nil, "", "a/b", "x y", "\u{0}", String(repeating: "a", count: 129)] {
            #expect(throws: IngressRejection.badRequest("invalid poll target name")) {
                try handler.checkTarget(hostile)
            }
        }
        #expect(throws: IngressRejection.notConfigured("poll target staging")) { try handler.checkTarget("staging") }
        #expect(publisher.triggers.isEmpty)

        let answer = try await handler.trigger(target: try handler.checkTarget("prod"), bodyBytes: 42)
        #expect(answer.status == .accepted)
        #expect(publisher.triggers == [PollTrigger(target: "prod", receivedAt: "2023-11-14T22:13:20Z")])
        #expect(publisher.triggers.first?.schema == "guance.poll-trigger/v1")
    }

    @Test func kafkaNotAcknowledgingIsA503() async throws {
        publisher.failing.withLock { $0 = true }
        await #expect(throws: IngressRejection.unavailable("Kafka did not acknowledge the poll trigger")) {
            try await handler.trigger(target: "default", bodyBytes: 0)
        }
    }

    @Test func theRouteExistsOnlyWithAToken() throws {
        let without = try GatewayConfig.load(ConfigSource(["FLOW_TOKEN": "t"]), role: .ingress)
        #expect(without.guanceWebhook == nil)
        let with = try GatewayConfig.load(
            ConfigSource(["FLOW_TOKEN": "t", "GUANCE_WEBHOOK_TOKEN": "push"]), role: .ingress)
        #expect(with.guanceWebhook?.token == "push")
        #expect(with.guanceWebhook?.targets == ["default"])
    }
}

/// The route over HTTP with a real (mock) Kafka; in the end-to-end suite, which `make test-fast` leaves out.
extension GatewayEndToEndTests {
    /// Records on `guance.poll-triggers` (every partition's high watermark: nothing else writes there).
    func triggerCount(_ gateway: GatewayHarness) async throws -> Int64 {
        let consumer = try KafkaConsumerClient(
            settings: consumerSettings(gateway, group: "count-\(UUID())", topics: [Topics.pollTriggers]),
            logger: gatewayTestLogger)
        var total: Int64 = 0
        for partition in 0..<Int32(2) {
            total += try await consumer.highWatermark(
                KafkaTopicPartition(topic: Topics.pollTriggers, partition: partition))
        }
        await consumer.close()
        return total
    }

    @Test func overHTTPAPushIsAcceptedAfterKafkaAcknowledgedItAnd503WhileKafkaIsDown() async throws {
        try await withGateway(role: .ingress) { gateway in
            let path = "/guance/webhook/default"
            let body = Array(#"{"event":"issue.add","anything":"undocumented"}"#.utf8)
            let bearer = ["Authorization": "Bearer \(GatewayHarness.guanceWebhookToken)"]
            #expect(try await gateway.post(path, body: body).0 == 401)
            #expect(try await gateway.post(path, body: body, headers: ["Authorization": "Bearer nope"]).0 == 401)
            #expect(try await gateway.post("/guance/webhook/staging", body: body, headers: bearer).0 == 404)
            #expect(try await gateway.post("/guance/webhook/a%20b", body: body, headers: bearer).0 == 400)
            let huge = [UInt8](repeating: 0x20, count: (1 << 20) + 1)
            #expect(try await gateway.post(path, body: huge, headers: bearer).0 == 413)
            #expect(try await triggerCount(gateway) == 0)

            let (status, answer) = try await gateway.post(path, body: body, headers: bearer)
            #expect(status == 202)
            #expect(answer.contains("default"))
            #expect(try await triggerCount(gateway) == 1)

            try await eventually("ready") { try await gateway.get("/readyz", metrics: true) == 200 }
            for broker in gateway.cluster.brokerIDs { try gateway.cluster.setBrokerDown(broker) }
            #expect(try await gateway.post(path, body: body, headers: bearer).0 == 503)
            for broker in gateway.cluster.brokerIDs { try gateway.cluster.setBrokerUp(broker) }
        }
    }

    @Test func theSimulatorPushesItsChangesToTheRoute() async throws {
        try await withGateway(role: .ingress) { gateway in
            let pusher = gateway.guance.pushChanges(
                to: "http://127.0.0.1:\(gateway.port)/guance/webhook/default", token: GatewayHarness.guanceWebhookToken)
            let delivering = Task { try await pusher.run() }
            defer { delivering.cancel() }
            let issue = gateway.guance.addIssue(.init(name: "pushed"))
            gateway.guance.setStatus(issueUUID: issue.uuid, statusType: 20)
            gateway.guance.addReply(issueUUID: issue.uuid, content: "looking")
            try await eventually("three pushes accepted") { pusher.delivered == 3 }
            #expect(pusher.failed == 0)
            #expect(try await triggerCount(gateway) == 3)
        }
    }
}
