import AsyncHTTPClient
import Events
import FeishuKit
import Foundation
import GuanceAPI
import Hummingbird
import ServiceKit
import Testing

@testable import ReplyGateway

/// Outgoing calls carry credentials (`DF-API-KEY`, `app_secret`, tokens): a redirect to another origin must never
/// be followed, and a DingTalk session webhook must point at DingTalk's endpoint.
@Suite("Outgoing calls: no redirect followed, no foreign session webhook", .timeLimit(.minutes(1)))
struct OutboundRedirectTests {
    /// The other origin a redirect points at; it must never see a request.
    func withRedirect(
        _ body: (_ redirecting: RecordingHTTPServer, _ elsewhere: RecordingHTTPServer) async throws -> Void
    )
        async throws
    {
        let elsewhere = await RecordingHTTPServer { _ in Response(status: .ok) }
        let redirecting = await RecordingHTTPServer.redirecting(to: elsewhere.url + "/stolen")
        do {
            try await body(redirecting, elsewhere)
        } catch {
            await redirecting.stop()
            await elsewhere.stop()
            throw error
        }
        await redirecting.stop()
        await elsewhere.stop()
    }

    @Test func theGuanceClientOfTheGatewayAndOfThePollerDoesNotFollowARedirect() async throws {
        try await withRedirect { redirecting, elsewhere in
            var settings = GuanceOpenAPIClient.Settings(baseURL: redirecting.url, apiKey: "key-never-elsewhere")
            settings.retry = .none
            let pollerHTTP = GuanceOpenAPIClient.makeHTTPClient()
            for http in [HTTPClient.outbound, pollerHTTP] {
                let client = GuanceOpenAPIClient(
                    settings: settings, httpClient: http, budget: GuanceRequestBudget(limit: 0),
                    logger: gatewayTestLogger)
                await #expect(throws: GuanceAPIError.self) { try await client.listChannels() }
            }
            try await pollerHTTP.shutdown()
            #expect(redirecting.requests.count == 2)
            #expect(elsewhere.requests.isEmpty)
        }
    }

    @Test func theFeishuAppClientDoesNotFollowARedirect() async throws {
        try await withRedirect { redirecting, elsewhere in
            let client = FeishuAppClient(
                credentials: FeishuAppCredentials(
                    appID: "cli", appSecret: "secret-never-elsewhere", baseURL: redirecting.url)
            )
            await #expect(throws: FeishuAppError.self) { try await client.tenantAccessToken() }
            #expect(redirecting.requests.count == 1)
            #expect(elsewhere.requests.isEmpty)
        }
    }

    @Test func aDingTalkSessionReplyDoesNotFollowARedirect() async throws {
        try await withRedirect { redirecting, elsewhere in
            let responder = PlatformChatResponder(
                feishu: nil, sessionWebhooks: SessionWebhookPolicy(origins: [redirecting.url]))
            let origin = ReplyCommand.Origin(
                platform: "dingtalk", eventId: "m", sessionWebhook: redirecting.url + "/robot/sendBySession?session=1")
            await #expect(throws: DingTalkReplyPlatform.SessionError.self) {
                try await responder.respond("answer", to: origin, key: "k")
            }
            #expect(redirecting.requests == ["/robot/sendBySession"])
            #expect(elsewhere.requests.isEmpty)
        }
    }

    /// Also checked when answering: the address travelled through Kafka after the ingress looked at it.
    @Test func aSessionWebhookOnAnotherHostOrOnLoopbackIsNeverCalled() async throws {
        let target = await RecordingHTTPServer { _ in Response(status: .ok) }
        let responder = PlatformChatResponder(feishu: nil)
        for webhook in [
            target.url + "/robot/sendBySession?session=1", "http://localhost:\(target.port)/robot/sendBySession",
            "https://evil.example/robot/sendBySession",
        ] {
            let origin = ReplyCommand.Origin(platform: "dingtalk", eventId: "m", sessionWebhook: webhook)
            let delivery = try await responder.respond("answer", to: origin, key: "k")
            guard case .skipped(let reason) = delivery else {
                Issue.record("\(webhook) was called")
                continue
            }
            #expect(reason.contains("refused"))
        }
        #expect(target.requests.isEmpty)
        await target.stop()
    }
}
