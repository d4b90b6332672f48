import AsyncHTTPClient
import Events
import FeishuKit
import Foundation
import Logging
import ServiceKit

/// What became of an answer in the chat.
enum ChatDelivery: Sendable, Equatable {
    case sent
    /// Not sent, and nothing to retry: no app credentials, no message to answer, an expired session webhook.
    case skipped(String)
}

/// Answers a person in the chat the command came from.
protocol ChatResponder: Sendable {
    /// `key` makes a repeated answer idempotent where the platform supports it (Feishu `uuid`).
    func respond(_ text: String, to origin: ReplyCommand.Origin, key: String) async throws -> ChatDelivery
}

/// Answers through the reply platform the command came from (`ChatReplyPlatform`). A command from a platform this
/// gateway does not serve (`ReplyPlatform.unknown`, or one not configured here) is skipped with its name.
struct PlatformChatResponder: ChatResponder {
    let platforms: [ReplyPlatform: any ChatReplyPlatform]

    init(_ platforms: [any ChatReplyPlatform]) {
        self.platforms = Dictionary(platforms.map { (type(of: $0).platform, $0) }) { first, _ in first }
    }

    /// The gateway's platforms: Feishu through `feishu` (nil: no app credentials), DingTalk session webhooks as
    /// `sessionWebhooks` allows, the flow route answered over HTTP.
    init(
        feishu: FeishuAppClient?, sessionWebhooks: SessionWebhookPolicy = SessionWebhookPolicy(),
        httpClient: HTTPClient = .outbound, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.init([
            FeishuReplyPlatform(app: feishu), FlowReplyPlatform(),
            DingTalkReplyPlatform(sessionWebhooks: sessionWebhooks, httpClient: httpClient, now: now),
        ])
    }

    func respond(_ text: String, to origin: ReplyCommand.Origin, key: String) async throws -> ChatDelivery {
        guard let platform = platforms[origin.platform] else {
            return .skipped("platform '\(origin.platform)' is not served by this gateway")
        }
        return try await platform.respond(text, to: origin, key: key)
    }
}
