import DevStack
import Events
import Foundation
import TestSupport
import Testing

@testable import Notifier

/// The Slack sink: Block Kit with a `text` fallback, Slack's answers, its 1-per-second limit, against a strict fake.
@Suite("Slack incoming webhook sink", .timeLimit(.minutes(1)))
struct SlackSinkTests {
    @Test func messageAndDigestMatchGoldenFiles() throws {
        let event = makeEvent(7)
        let single = MessageRenderer(kind: .slack).render(event, raw: eventBytes(event))
        let (expected, actual) = try golden("slack-message.json", single)
        #expect(actual == expected)
        let events = (1...14).map { makeEvent($0, level: $0 % 3 == 0 ? "critical" : "warning") }
        let (expectedDigest, actualDigest) = try golden(
            "slack-digest.json", MessageRenderer(kind: .slack).renderDigest(events))
        #expect(actualDigest == expectedDigest)
    }

    @Test func bodiesPassTheStrictFakesBlockChecks() throws {
        let huge = String(repeating: "disk full ", count: 2000)
        for body in [
            MessageRenderer(kind: .slack).render(makeEvent(description: huge), raw: []),
            MessageRenderer(kind: .slack).renderDigest((1...30).map { makeEvent($0) }),
        ] {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
            #expect(SlackCapture.blocksProblem(json["blocks"] as Any) == nil)
            #expect((json["text"] as? String)?.isEmpty == false)
        }
    }

    @Test(arguments: [
        (200, "ok", "delivered"), (400, "invalid_payload", "rejected"), (404, "no_service", "rejected"),
        (410, "channel_is_archived", "rejected"), (403, "action_prohibited", "rejected"),
        (429, "rate_limited", "rateLimited"), (500, "rollup_error", "retryable"), (200, "invalid_blocks", "rejected"),
    ])
    func answersAreClassified(status: Int, body: String, expected: String) {
        let outcome = SlackSink.classify(status: status, body: Array(body.utf8))
        let name =
            switch outcome {
            case .delivered: "delivered"
            case let .rejected(reason): reason.contains(body) ? "rejected" : "rejected without \(body)"
            case .rateLimited: "rateLimited"
            case .retryable: "retryable"
            }
        #expect(name == expected)
    }

    @Test func routesFileSelectsTheSlackSinkWithItsLimit() throws {
        let file = try RoutesFile.parse(
            "sinks:\n  ops-slack:\n    type: slack\n    url_env: OPS_SLACK\n",
            environment: ["OPS_SLACK": "https://hooks.slack.com/services/T1/B1/x"], knownSinks: [])
        #expect(file.sinks.first?.kind == .slack)
        #expect(file.sinks.first?.limits == [RateWindow(limit: 1, per: .seconds(1))])
    }

    /// Over real HTTP into the strict fake: single messages are shown, a burst leaves as paced digests within
    /// 1 per second, and a 429 pauses the sink without losing the event.
    @Test func deliversToTheStrictFakeWithinItsLimit() async throws {
        let capture = SlackCapture.make(perSecond: 1)
        try await capture.start()
        let http = WebhookHTTPClient()
        var settings = SinkDispatcher.Settings()
        settings.digestLinger = .milliseconds(200)
        var definition = SinkDefinition(name: "slack", kind: .slack, url: SlackCapture.url(capture))
        definition.rateLimitPause = .milliseconds(300)
        let sink = SinkDispatcher(
            definition: definition, transport: HTTPSinkTransport(client: http), settings: settings, logger: testLogger)
        let loop = Task { await sink.run() }
        let first = await sink.enqueue(makeEvent(1), raw: [], key: "p0").result {}
        #expect(first == .delivered(digest: false))
        capture.inject([HookCapture.Answer(status: 429, body: "rate_limited", headers: [("Retry-After", "1")])])
        let tickets = await (2...12).asyncMap { await sink.enqueue(makeEvent($0), raw: [], key: "p\($0 % 3)") }
        for ticket in tickets { #expect(await ticket.result {}.isDelivered) }
        loop.cancel()
        await http.shutdown()
        await capture.stop()
        let requests = capture.requests
        #expect(requests.filter { $0.answer.status == 429 }.count == 1)
        #expect(requests.allSatisfy { $0.answer.problem == nil || $0.answer.status == 429 })
        #expect(capture.shown.count < 12, "the burst leaves as digests")
        #expect(capture.shown.contains { $0.text.contains("storm digest") })
    }

    /// Selected the way operators (and the benchmark matrix) select sinks: `type: slack` in `ROUTES_FILE`, through
    /// the whole notifier (mock cluster, real HTTP); every event reaches the fake and is shown.
    @Test func theRoutesFileSelectsItThroughTheWholeNotifier() async throws {
        let capture = SlackCapture.make(perSecond: nil)
        try await capture.start()
        let routes = FileManager.default.temporaryDirectory.appendingPathComponent("routes-slack-\(UUID()).yaml")
        try "sinks:\n  ops-slack:\n    type: slack\n    url_env: OPS_SLACK_URL\n    rate_limit: 0\n"
            .write(to: routes, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: routes) }
        let env = ["ROUTES_FILE": routes.path, "OPS_SLACK_URL": SlackCapture.url(capture)]
        let cluster = try NotifierServiceTests.cluster()
        try await NotifierServiceTests.withNotifier(cluster, env: env) { producer in
            try await NotifierServiceTests.publish(producer, (1...5).map { makeEvent($0) })
            try await eventually(timeout: .seconds(20), "five events shown") { capture.shown.count == 5 }
        }
        await capture.stop()
        #expect(capture.requests.allSatisfy { $0.answer.shown })
    }
}

extension DeliveryResult {
    var isDelivered: Bool { if case .delivered = self { true } else { false } }
}

extension ClosedRange where Bound == Int {
    func asyncMap<T>(_ transform: (Int) async -> T) async -> [T] {
        var out: [T] = []
        for value in self { out.append(await transform(value)) }
        return out
    }
}
