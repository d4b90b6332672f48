import Events
import Foundation
import Hummingbird
import ServiceLifecycle
import Synchronization
import Testing

@testable import ReplyGateway

@Suite("Chat answers", .timeLimit(.minutes(1)))
struct ChatResponderTests {
    @Test func dingTalkIsAnsweredThroughTheSessionWebhookUntilItExpires() async throws {
        let received = Mutex<[String]>([])
        let router = Router()
        router.post("/robot/sendBySession") { request, _ -> String in
            let body = try await request.body.collect(upTo: 1 << 16)
            received.withLock { $0.append(String(buffer: body)) }
            return #"{"errcode":0,"errmsg":"ok"}"#
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: gatewayTestLogger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: gatewayTestLogger))
        let task = Task { try await group.run() }
        var port = 0
        for await bound in ports {
            port = bound
            break
        }
        let now = Date()
        let responder = PlatformChatResponder(
            feishu: nil, sessionWebhooks: SessionWebhookPolicy(origins: ["http://127.0.0.1:\(port)"]), now: { now })
        let webhook = "http://127.0.0.1:\(port)/robot/sendBySession?session=abc"
        let valid = ReplyCommand.Origin(
            platform: "dingtalk", eventId: "m1", sessionWebhook: webhook,
            sessionWebhookExpiresAt: Int64(now.timeIntervalSince1970 * 1000) + 60_000)
        #expect(try await responder.respond("reply added to disk", to: valid, key: "k") == .sent)
        var expired = valid
        expired.sessionWebhookExpiresAt = Int64(now.timeIntervalSince1970 * 1000) - 1
        guard case .skipped = try await responder.respond("late", to: expired, key: "k") else {
            Issue.record("an expired session webhook was used")
            return
        }
        let feishuWithoutApp = ReplyCommand.Origin(platform: "feishu", eventId: "e", messageId: "om_1")
        guard case .skipped = try await responder.respond("x", to: feishuWithoutApp, key: "k") else {
            Issue.record("answered Feishu without app credentials")
            return
        }
        let bodies = received.withLock { $0 }
        #expect(bodies.count == 1)
        #expect(bodies.first?.contains(#""msgtype":"text""#) == true)
        #expect(bodies.first?.contains("reply added to disk") == true)
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    @Test func confirmationTextsNameTheIssueOrTheReason() {
        let origin = ReplyCommand.Origin(platform: "feishu", eventId: "e")
        let written = ReplyResult(
            commandId: "c", issueUUID: "issue_1", issueName: "disk full", outcome: .written, replyUUID: "r",
            reason: nil, completedAt: "", origin: origin)
        #expect(ConfirmationText.text(for: written).contains("reply added to disk full"))
        var rejected = written
        rejected.outcome = .rejected
        rejected.reason = "issue issue_1 does not exist"
        #expect(ConfirmationText.text(for: rejected).contains("reply not added: issue issue_1 does not exist"))
    }
}
