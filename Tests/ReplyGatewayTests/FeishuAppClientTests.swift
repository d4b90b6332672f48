import DevStack
import FeishuKit
import Foundation
import ServiceLifecycle
import Testing

@testable import ReplyGateway

@Suite("Feishu app API client against the fake", .timeLimit(.minutes(1)))
struct FeishuAppClientTests {
    /// Runs the fake on a free port for `body`.
    func withFake(
        lifetime: Duration = .seconds(7200), _ body: (FeishuAppSimulator, FeishuAppClient, String) async throws -> Void
    )
        async throws
    {
        let fake = FeishuAppSimulator(appSecret: "secret", tokenLifetime: lifetime)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(
            configuration: .init(
                services: [fake.application(logger: gatewayTestLogger) { continuation.yield($0) }],
                logger: gatewayTestLogger))
        let task = Task { try await group.run() }
        var port = 0
        for await bound in ports {
            port = bound
            break
        }
        let client = FeishuAppClient(
            credentials: FeishuAppCredentials(
                appID: fake.appID, appSecret: "secret", baseURL: "http://127.0.0.1:\(port)"))
        do {
            try await body(fake, client, "http://127.0.0.1:\(port)")
        } catch {
            await group.triggerGracefulShutdown()
            _ = await task.result
            throw error
        }
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    @Test func theTokenIsCachedAndRepliesAreIdempotentByUUID() async throws {
        try await withFake { fake, client, _ in
            try await client.reply(to: "om_1", text: "one", uuid: "u1")
            try await client.reply(to: "om_1", text: "one", uuid: "u1")
            try await client.reply(to: "om_2", text: "two", uuid: "u2")
            #expect(fake.tokenRequestCount == 1)
            #expect(fake.replies.map(\.text) == ["one", "two"])
            let inThread = fake.replies.allSatisfy { $0.replyInThread }
            #expect(inThread)
        }
    }

    @Test func anInvalidatedTokenIsFetchedAgainOnce() async throws {
        try await withFake { fake, client, _ in
            try await client.reply(to: "om_1", text: "before", uuid: "a")
            fake.revokeTokens()
            try await client.reply(to: "om_1", text: "after", uuid: "b")
            #expect(fake.tokenRequestCount == 2)
            #expect(fake.replies.count == 2)
        }
    }

    @Test func wrongCredentialsAreAnAPIErrorWithTheCode() async throws {
        try await withFake { fake, _, url in
            let bad = FeishuAppClient(
                credentials: FeishuAppCredentials(appID: fake.appID, appSecret: "wrong", baseURL: url))
            do {
                try await bad.reply(to: "om_1", text: "x", uuid: "c")
                Issue.record("replied with a wrong app secret")
            } catch let error as FeishuAppError {
                guard case .api(_, _, let code, _) = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(code == 10014)
                #expect(!"\(error)".contains("wrong"))
            }
            #expect(fake.replies.isEmpty)
        }
    }

    @Test func aThreadRootIsReadToFindTheIssue() async throws {
        try await withFake { fake, client, _ in
            fake.addMessage(id: "om_root", text: "[P1] checkout latency issue_abc123def open")
            let lookup = FeishuThreadIssueLookup(client: client)
            let first = try await lookup.issueUUID(threadRoot: "om_root")
            let cached = try await lookup.issueUUID(threadRoot: "om_root")
            #expect(first == "issue_abc123def")
            #expect(cached == "issue_abc123def")
            await #expect(throws: FeishuAppError.self) { try await lookup.issueUUID(threadRoot: "om_missing") }
        }
    }
}
