import DevStack
import Events
import Foundation
import TestSupport
import Testing

@testable import Notifier

/// The Teams sink: a message with one Adaptive Card, the Workflows trigger's answers, against a strict fake.
@Suite("Microsoft Teams Workflows sink", .timeLimit(.minutes(1)))
struct TeamsSinkTests {
    @Test func messageAndDigestMatchGoldenFiles() throws {
        let event = makeEvent(7)
        let single = MessageRenderer(kind: .teams).render(event, raw: eventBytes(event))
        let (expected, actual) = try golden("teams-message.json", single)
        #expect(actual == expected)
        let events = (1...14).map { makeEvent($0, level: $0 % 3 == 0 ? "critical" : "warning") }
        let (expectedDigest, actualDigest) = try golden(
            "teams-digest.json", MessageRenderer(kind: .teams).renderDigest(events))
        #expect(actualDigest == expectedDigest)
    }

    @Test func bodiesAreCardsTheFlowCanPostAndStayUnder28KB() throws {
        let huge = String(repeating: "disk full ", count: 5000)
        for body in [
            MessageRenderer(kind: .teams).render(makeEvent(description: huge), raw: []),
            MessageRenderer(kind: .teams).renderDigest((1...30).map { makeEvent($0) }),
        ] {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
            #expect(TeamsCapture.messageProblem(json, bytes: body.count) == nil)
            #expect(body.count <= 28_000)
        }
    }

    @Test(arguments: [
        (202, "", "delivered"), (200, "", "delivered"),
        (400, #"{"error":{"code":"InvalidRequestContent","message":"x"}}"#, "rejected"),
        (401, #"{"error":{"code":"DirectApiAuthorizationRequired","message":"x"}}"#, "rejected"),
        (404, #"{"error":{"code":"WorkflowNotFound","message":"x"}}"#, "rejected"),
        (429, #"{"error":{"code":"WorkflowTriggerIsThrottled","message":"x"}}"#, "rateLimited"),
        (502, "bad gateway", "retryable"),
    ])
    func answersAreClassified(status: Int, body: String, expected: String) {
        let name =
            switch TeamsSink.classify(status: status, body: Array(body.utf8)) {
            case .delivered: "delivered"
            case let .rejected(reason): reason.contains("HTTP \(status)") ? "rejected" : "rejected without status"
            case .rateLimited: "rateLimited"
            case .retryable: "retryable"
            }
        #expect(name == expected)
    }

    @Test func routesFileSelectsTheTeamsSink() throws {
        let file = try RoutesFile.parse(
            "sinks:\n  ops-teams:\n    type: teams\n    url_env: OPS_TEAMS\n    rate_limit: 1\n",
            environment: [
                "OPS_TEAMS": "https://example.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=x"
            ],
            knownSinks: [])
        #expect(file.sinks.first?.kind == .teams)
        #expect(file.sinks.first?.limits == [RateWindow(limit: 1, per: .seconds(1))])
    }

    /// Over real HTTP into the fake: the card is posted (the fake's flow would show it), a throttling answer pauses
    /// the sink and the event still arrives, a bad `sig` is rejected at once.
    @Test func deliversToTheFake() async throws {
        let capture = TeamsCapture.make(perSecond: 4)
        try await capture.start()
        let http = WebhookHTTPClient()
        func sink(_ url: String) -> SinkDispatcher {
            var definition = SinkDefinition(name: "teams", kind: .teams, url: url)
            definition.rateLimitPause = .milliseconds(300)
            return SinkDispatcher(
                definition: definition, transport: HTTPSinkTransport(client: http), settings: .init(),
                logger: testLogger)
        }
        let good = sink(TeamsCapture.url(capture))
        let loop = Task { await good.run() }
        capture.inject([
            HookCapture.Answer(
                status: 429, body: #"{"error":{"code":"WorkflowTriggerIsThrottled","message":"x"}}"#,
                headers: [("Retry-After", "1")])
        ])
        #expect(await good.enqueue(makeEvent(1), raw: [], key: "p0").result {} == .delivered(digest: false))
        loop.cancel()
        let bad = sink(TeamsCapture.url(capture).replacingOccurrences(of: "sig=devstack", with: "sig=wrong"))
        let badLoop = Task { await bad.run() }
        let refused = await bad.enqueue(makeEvent(2), raw: [], key: "p0").result {}
        badLoop.cancel()
        await http.shutdown()
        await capture.stop()
        guard case let .failed(reason) = refused else {
            Issue.record("bad sig must fail, got \(refused)")
            return
        }
        #expect(reason.contains("DirectApiAuthorizationRequired"))
        #expect(capture.requests.map(\.answer.status) == [429, 202, 401])
        #expect(capture.shown.count == 1)
    }

    /// Selected the way operators (and the benchmark matrix) select sinks: `type: teams` in `ROUTES_FILE`, through
    /// the whole notifier (mock cluster, real HTTP); every event reaches the fake and is shown.
    @Test func theRoutesFileSelectsItThroughTheWholeNotifier() async throws {
        let capture = TeamsCapture.make(perSecond: nil)
        try await capture.start()
        let routes = FileManager.default.temporaryDirectory.appendingPathComponent("routes-teams-\(UUID()).yaml")
        try "sinks:\n  ops-teams:\n    type: teams\n    url_env: OPS_TEAMS_URL\n    rate_limit: 0\n"
            .write(to: routes, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: routes) }
        let env = ["ROUTES_FILE": routes.path, "OPS_TEAMS_URL": TeamsCapture.url(capture)]
        let cluster = try NotifierServiceTests.cluster()
        try await NotifierServiceTests.withNotifier(cluster, env: env) { producer in
            try await NotifierServiceTests.publish(producer, (1...5).map { makeEvent($0) })
            try await eventually(timeout: .seconds(20), "five events shown") { capture.shown.count == 5 }
        }
        await capture.stop()
        #expect(capture.requests.allSatisfy { $0.answer.shown })
    }
}
