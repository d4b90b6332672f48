import DevStack
import Events
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import ReplyGateway

/// Thousands of hostile requests through the gateway's real routes (header checks, body limit, handlers), in
/// process. Seeded: the seed is printed, and `GATEWAY_FUZZ_SEED=<seed>` replays the same requests.
///
/// Every answer must be 200 (202 for a Guance push), a 4xx or 503, in bounded time; an unauthenticated request must publish nothing; and the
/// process must still be here at the end (a trap would end the test run).
@Suite("Ingress fuzzing", .timeLimit(.minutes(3)))
struct IngressFuzzTests {
    static let cases = 4000
    static let maxBodyBytes = 64 << 10
    /// Generous for in-process handling of at most 64 KiB; a hang or a quadratic blow-up shows far above it.
    static let perRequestBound: Duration = .seconds(1)

    static let secrets = IngressSecrets(
        feishuVerificationToken: TestSecrets.token, feishuEncryptKey: TestSecrets.encryptKey, flowToken: "flow-fuzz",
        dingtalkAppSecret: "ding-fuzz", guanceWebhookToken: "guance-push-fuzz")

    @Test func hostileRequestsOnEveryRouteAreAnsweredAndPublishNothingUnauthenticated() async throws {
        let seed =
            ProcessInfo.processInfo.environment["GATEWAY_FUZZ_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0...UInt64.max)
        let publisher = RecordingPublisher()
        let actions = RecordingActionPublisher()
        let intake = CommandIntake(publisher: publisher, dedupeCapacity: 1000, logger: gatewayTestLogger)
        var handlers = GatewayRoutes.Handlers()
        handlers.callbacks[.feishu] = FeishuEventHandler(
            settings: FeishuSubscriptionSettings(
                verificationToken: Self.secrets.feishuVerificationToken, encryptKey: Self.secrets.feishuEncryptKey),
            intake: intake, threads: nil, notices: nil, signatureWindow: .seconds(300), logger: gatewayTestLogger,
            cardActions: CardActionHandler(
                publisher: actions, identities: FixedIdentities(people: [:]), notices: nil, logger: gatewayTestLogger))
        handlers.callbacks[.feishuFlow] = FlowHandler(
            token: Self.secrets.flowToken, intake: intake, logger: gatewayTestLogger)
        handlers.callbacks[.dingtalk] = DingTalkHandler(
            appSecret: Self.secrets.dingtalkAppSecret, intake: intake, notices: nil, logger: gatewayTestLogger)
        let triggers = RecordingTriggerPublisher()
        handlers.guance = GuanceWebhookHandler(
            token: Self.secrets.guanceWebhookToken!, targets: [HostileIngressRequests.guanceWebhookTarget],
            publisher: triggers, logger: gatewayTestLogger)
        let router = Router()
        GatewayRoutes.add(to: router, handlers: handlers, maxBodyBytes: Self.maxBodyBytes, logger: gatewayTestLogger)
        let app = Application(router: router, logger: gatewayTestLogger)

        let started = ContinuousClock.now
        let summary = try await app.test(.router) { client in
            var requests = HostileIngressRequests(seed: seed, secrets: Self.secrets, maxBodyBytes: Self.maxBodyBytes)
            var slowest: Duration = .zero
            var statuses: [Int: Int] = [:]
            for index in 0..<Self.cases {
                let request = requests.next()
                var headers = HTTPFields()
                for (name, value) in request.headers {
                    guard let field = HTTPField.Name(name) else { continue }
                    headers[field] = value
                }
                let publishedBefore = publisher.commands.count + triggers.triggers.count + actions.actions.count
                let sent = ContinuousClock.now
                let status = try await client.execute(
                    uri: request.path, method: .post, headers: headers, body: ByteBuffer(bytes: request.body)
                ) { Int($0.status.code) }
                let took = ContinuousClock.now - sent
                slowest = max(slowest, took)
                statuses[status, default: 0] += 1
                let context = "seed \(seed) case \(index): \(request.label)"
                let accepted = request.path.hasPrefix(GatewayRoutes.guanceWebhookPath) ? 202 : 200
                #expect(
                    status == accepted || (400..<500).contains(status) || status == 503, "\(status) for \(context)")
                #expect(took < Self.perRequestBound, "\(took) for \(context)")
                if !request.authenticated {
                    #expect(
                        publisher.commands.count + triggers.triggers.count + actions.actions.count == publishedBefore,
                        "published for \(context)")
                }
            }
            return (slowest, statuses)
        }
        let elapsed = ContinuousClock.now - started
        let statusText = summary.1.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ")
        let published = publisher.commands.count
        print("ingress fuzz: seed=\(seed) cases=\(Self.cases) time=\(elapsed) slowest=\(summary.0)", terminator: " ")
        print(
            "statuses=[\(statusText)] published=\(published) triggers=\(triggers.triggers.count) actions=\(actions.actions.count) (replay: GATEWAY_FUZZ_SEED=\(seed))"
        )
        // The generator must reach the handlers' interesting paths, not only the front door.
        #expect(summary.1[200, default: 0] > 0)
        #expect(publisher.commands.count > 0)
        #expect(triggers.triggers.count > 0)
        #expect(actions.actions.count > 0)
    }
}
