import AsyncHTTPClient
import Events
import FeishuKit
import Foundation
import Logging
import NIOCore
import NIOHTTP1
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

/// Feishu: reply-to-message in the sender's thread through the app API. DingTalk: the message's `sessionWebhook`
/// while it is valid and `sessionWebhooks` allows it (checked again here: the address travelled through Kafka).
/// Flow requests got their answer over HTTP; nothing is sent for them. Redirects are never followed.
struct PlatformChatResponder: ChatResponder {
    let feishu: FeishuAppClient?
    var sessionWebhooks = SessionWebhookPolicy()
    var httpClient: HTTPClient = .outbound
    var now: @Sendable () -> Date = { Date() }

    /// DingTalk's answer to a session-webhook POST when it was not a success (docs/protocols/dingtalk.md).
    enum DingTalkError: Error, CustomStringConvertible {
        case rejected(status: Int, errcode: Int?)
        var description: String {
            switch self {
            case .rejected(let status, let errcode):
                "DingTalk session webhook answered HTTP \(status), errcode \(errcode.map(String.init) ?? "-")"
            }
        }
    }

    func respond(_ text: String, to origin: ReplyCommand.Origin, key: String) async throws -> ChatDelivery {
        switch origin.platform {
        case "feishu":
            guard let feishu else { return .skipped("no Feishu app credentials (FEISHU_APP_ID/FEISHU_APP_SECRET)") }
            guard let messageID = origin.messageId else { return .skipped("no message to answer") }
            try await feishu.reply(to: messageID, text: text, uuid: key)
            return .sent
        case "dingtalk":
            guard let webhook = origin.sessionWebhook else { return .skipped("no session webhook") }
            if let refusal = sessionWebhooks.refusal(webhook) {
                return .skipped("DingTalk session webhook refused: \(refusal)")
            }
            if let expires = origin.sessionWebhookExpiresAt, Int64(now().timeIntervalSince1970 * 1000) >= expires {
                return .skipped("DingTalk session webhook expired")
            }
            return try await postToSession(webhook, text: text)
        default:
            return .skipped("platform \(origin.platform) is answered over HTTP only")
        }
    }

    private func postToSession(_ webhook: String, text: String) async throws -> ChatDelivery {
        struct Answer: Decodable { var errcode: Int? }
        var request = HTTPClientRequest(url: webhook)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        let body = try JSONSerialization.data(
            withJSONObject: ["msgtype": "text", "text": ["content": text]], options: [.sortedKeys])
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await httpClient.execute(request, timeout: .seconds(5))
        let answer = try await response.body.collect(upTo: 64 << 10)
        let errcode = (try? JSONDecoder().decode(Answer.self, from: Data(answer.readableBytesView)))?.errcode
        guard response.status == .ok, errcode == nil || errcode == 0 else {
            throw DingTalkError.rejected(status: Int(response.status.code), errcode: errcode)
        }
        return .sent
    }
}
