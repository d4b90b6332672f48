import AsyncHTTPClient
import Events
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit

/// DingTalk: callbacks on `/dingtalk/events` (`DingTalkHandler`); answers go to the message's `sessionWebhook` while
/// it is valid and `sessionWebhooks` allows it (checked again here: the address travelled through Kafka). Redirects
/// are never followed.
struct DingTalkReplyPlatform: ChatReplyPlatform {
    static let platform = ReplyPlatform.dingtalk
    static let path = "/dingtalk/events"
    static let requiredSetting = "DINGTALK_APP_SECRET"

    var sessionWebhooks = SessionWebhookPolicy()
    var httpClient: HTTPClient = .outbound
    var now: @Sendable () -> Date = { Date() }

    /// DingTalk's answer to a session-webhook POST when it was not a success (docs/protocols/dingtalk.md).
    enum SessionError: Error, CustomStringConvertible {
        case rejected(status: Int, errcode: Int?)
        var description: String {
            switch self {
            case .rejected(let status, let errcode):
                "DingTalk session webhook answered HTTP \(status), errcode \(errcode.map(String.init) ?? "-")"
            }
        }
    }

    func respond(_ text: String, to origin: ReplyCommand.Origin, key: String) async throws -> ChatDelivery {
        guard let webhook = origin.sessionWebhook else { return .skipped("no session webhook") }
        if let refusal = sessionWebhooks.refusal(webhook) {
            return .skipped("DingTalk session webhook refused: \(refusal)")
        }
        if let expires = origin.sessionWebhookExpiresAt, Int64(now().timeIntervalSince1970 * 1000) >= expires {
            return .skipped("DingTalk session webhook expired")
        }
        return try await postToSession(webhook, text: text)
    }

    private func postToSession(_ webhook: String, text: String) async throws -> ChatDelivery {
        struct Answer: Decodable { var errcode: Int? }
        var request = HTTPClientRequest(url: webhook)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        let body = try SortedKeysJSON.data(["msgtype": "text", "text": ["content": text]])
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await httpClient.execute(request, timeout: .seconds(5))
        let answer = try await response.body.collect(upTo: 64 << 10)
        let errcode = (try? JSONDecoder().decode(Answer.self, from: Data(answer.readableBytesView)))?.errcode
        guard response.status == .ok, errcode == nil || errcode == 0 else {
            throw SessionError.rejected(status: Int(response.status.code), errcode: errcode)
        }
        return .sent
    }
}
